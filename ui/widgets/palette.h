// The app's colours for right and wrong, in one place: every view that marks a prediction (the
// confusion matrices, the prediction grid, the probability bars, the misclassification table and
// the ensemble's per-network predictions) takes them from here. resources/convscope.qss uses the
// same hex values.
#pragma once

#include <QColor>
#include <QString>

namespace palette {

inline const QColor kRight{0x2e, 0x9e, 0x4f};      // a right prediction, the true class
inline const QColor kRightText{0x2e, 0x7d, 0x43};  // the same, darker, for text on white
inline const QColor kWrong{0xd6, 0x45, 0x45};      // a wrong prediction (fills and text)
inline const QColor kWrongTint{0xfd, 0xec, 0xea};  // the background of a wrong row
inline const QColor kOther{0x8a, 0x9b, 0xb0};      // neither: a runner-up class
inline const QColor kAccent{0x1f, 0x5f, 0xa8};     // selection, the probe

// "#rrggbb", for rich text.
inline QString html(const QColor& color) {
  return color.name(QColor::HexRgb);
}

}  // namespace palette
