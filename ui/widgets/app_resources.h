// The app's Qt resources (resources/convscope.qrc: style sheets, icons, dataset label files) live
// in the convscope_ui static library; code that reads them calls this first so that they are
// registered even when nothing else referenced them. Cheap after the first call.
#pragma once

void initAppResources();

class QString;

// The style sheet of the Ensemble and Sweep pages (resources/ensemble_page.qss); empty, with a
// warning, when it cannot be read.
QString pageStyleSheet();

// A path as a user reads it: the home folder as "~", under it as "~/…".
QString displayPath(const QString& path);
