#include "ensemble/ensemble_types.h"

#include <QLocale>
#include <algorithm>

double EnsembleProgress::fraction() const {
  const double steps = double(epochs) * stepsPerEpoch;
  return steps > 0 ? std::min(1.0, (double(epoch) * stepsPerEpoch + stepInEpoch) / steps) : 0.0;
}

QString countText(long long n, const QString& one, const QString& many) {
  return QStringLiteral("%1 %2").arg(QLocale().toString(n), n == 1 ? one : many);
}

void registerEnsembleTypes() {
  registerTrainingTypes();
  qRegisterMetaType<EnsembleRequest>();
  qRegisterMetaType<EnsembleProgress>();
}
