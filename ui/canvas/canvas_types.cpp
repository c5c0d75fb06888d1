#include "canvas/canvas_types.h"

void registerCanvasTypes() {
  qRegisterMetaType<DigitPrediction>();
  qRegisterMetaType<SaliencyRequest>();
  qRegisterMetaType<SaliencyResult>();
}
