#include "ensemble/ensemble_types.h"

#include <algorithm>

double EnsembleProgress::fraction() const {
  const double steps = double(epochs) * stepsPerEpoch;
  return steps > 0 ? std::min(1.0, (double(epoch) * stepsPerEpoch + stepInEpoch) / steps) : 0.0;
}

void registerEnsembleTypes() {
  registerTrainingTypes();
  qRegisterMetaType<EnsembleRequest>();
  qRegisterMetaType<EnsembleProgress>();
}
