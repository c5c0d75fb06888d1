#include "training/lr_finder_types.h"

void registerLrFinderTypes() {
  registerTrainingTypes();
  qRegisterMetaType<cs::GroupConfig>();
  qRegisterMetaType<cs::LrFinderSettings>();
  qRegisterMetaType<LrFinderPoints>();
  qRegisterMetaType<cs::LrFinderResult>();
}
