#include "widgets/app_resources.h"

#include <QtGlobal>

void initAppResources() {
  static const bool registered = [] {
    Q_INIT_RESOURCE(convscope);
    return true;
  }();
  Q_UNUSED(registered);
}
