// The app's Qt resources (resources/convscope.qrc: style sheets, icons, dataset label files) live
// in the convscope_ui static library; code that reads them calls this first so that they are
// registered even when nothing else referenced them. Cheap after the first call.
#pragma once

void initAppResources();
