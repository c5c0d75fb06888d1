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

// A colour per category (a class, a group of configurations), Tableau 10 with its red and green
// put aside for the right and wrong above; again from the first past ten.
inline QColor category(int i) {
  static const QColor colors[] = {{0x4e, 0x79, 0xa7}, {0xf2, 0x8e, 0x2b}, {0x9c, 0x75, 0x5f},
                                  {0x76, 0xb7, 0xb2}, {0x8c, 0xd1, 0x7d}, {0xed, 0xc9, 0x48},
                                  {0xb0, 0x7a, 0xa1}, {0xff, 0x9d, 0xa7}, {0x4b, 0x3f, 0x72},
                                  {0xba, 0xb0, 0xac}};
  return colors[i % 10];
}

// "#rrggbb", for rich text.
inline QString html(const QColor& color) {
  return color.name(QColor::HexRgb);
}

}  // namespace palette
