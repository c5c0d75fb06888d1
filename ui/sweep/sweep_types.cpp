#include "sweep/sweep_types.h"

#include <algorithm>

double SweepProgress::fraction() const {
  if (units <= 0) return 0;
  return std::clamp((unitsDone + std::clamp(unitFraction, 0.0, 1.0)) / units, 0.0, 1.0);
}

void registerSweepTypes() {
  registerTrainingTypes();
  qRegisterMetaType<SweepRequest>();
  qRegisterMetaType<SweepProgress>();
}
