// The probe image every filter grid is computed for: the image itself, its index (editable;
// "drawn" for a digit of the user's own, from which stepping up goes to image 0), its true label,
// the network's prediction and loss (for a drawn digit, of the class predicted), and the class
// probabilities: beside the image where they have the width for their labels, else lower, below.
#pragma once

#include <QMap>
#include <QWidget>

#include "convscope/snapshot.h"
#include "predictions/class_names.h"

class ProbabilityBars;
class QLabel;
class QSpinBox;
class WrapRowLayout;

class ProbeView : public QWidget {
  Q_OBJECT

 public:
  explicit ProbeView(QWidget* parent = nullptr);

  void setSnapshot(const cs::Snapshot& snapshot);
  void setProbe(int index);                     // shows the index without emitting probeRequested
  void setProbeCount(int count);                // validation images to choose from
  void setClassNames(const ClassNames& names);  // for the labels and the bars
  // What the frames of probe `probe` (< 0: no validation image) call it ("the drawn digit", index
  // box "drawn"; that is also what an image without a name is called). The last few names are
  // kept, for frames still on their way.
  void setImageName(int probe, const QString& name, const QString& shortName);
  void clear();

 Q_SIGNALS:
  void probeRequested(int index);

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  struct ImageName {
    QString name, shortName;
  };
  void showImage(const QString& shortName);  // a probe that is no validation image
  ImageName imageName(int probe) const;

  QLabel* m_image;
  QSpinBox* m_index;
  QLabel* m_details;
  ProbabilityBars* m_bars;
  WrapRowLayout* m_row;  // the image and its text, the bars beside them or below
  ClassNames m_names;
  QMap<int, ImageName> m_imageNames;  // by probe number
};
