// The one way the app turns an image in the engine's layout (planes of C x H x W bytes, 0 black)
// into a QImage: the validation thumbnails, the probe, the class models, the Ensemble view's
// images and the drawn digit's network input.
#pragma once

#include <QImage>
#include <cstdint>

#include "convscope/spec.h"

// Three channels as RGB; any other number by its first channel in gray.
QImage planarImage(const uint8_t* pixels, cs::Shape3 shape);
