// The selected validation image, large, with what the ensemble made of it (true label, vote,
// the top-1 votes per label), how many networks had it right at each epoch (when the run has a
// per-epoch history) and every network's top-3 predictions in a sortable table (top-2 where the
// table is too narrow for three columns with their probabilities).
#pragma once

#include <QImage>
#include <QWidget>

#include "ensemble/ensemble_run.h"

class EpochLearningStrip;
class NetPredictionsModel;
class QLabel;
class QSortFilterProxyModel;
class QTableView;

class ImageDetailPanel : public QWidget {
  Q_OBJECT

 public:
  // The picture's largest side (6 × 28). On a low panel (the Ensemble view at 1366×768) it
  // shrinks, by whole multiples of 28 down to kMinImageSize, to leave kTableRoom pixels of the
  // panel's height to the epoch lines and the table.
  static constexpr int kImageSize = 168;
  static constexpr int kMinImageSize = 56;
  static constexpr int kTableRoom = 180;

  explicit ImageDetailPanel(QWidget* parent = nullptr);

  // A negative image (or a null run) shows nothing.
  void setImage(const EnsembleRunPtr& run, int image);
  int image() const;

  NetPredictionsModel* model() const { return m_model; }
  QTableView* table() const { return m_table; }
  QString captionText() const;
  QString votesText() const;
  EpochLearningStrip* epochStrip() const { return m_epochStrip; }
  QString epochText() const;
  // The picture's side now, from the panel's height.
  int imageSide() const { return m_imageSide; }

 protected:
  void resizeEvent(QResizeEvent* event) override;
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void showPicture();
  void fitTopColumns();

  NetPredictionsModel* m_model;
  QSortFilterProxyModel* m_proxy;
  QLabel* m_picture;
  QLabel* m_heading;
  QLabel* m_caption;
  QLabel* m_votes;
  QLabel* m_epochText;
  EpochLearningStrip* m_epochStrip;
  QTableView* m_table;
  QImage m_image;  // the selected validation image, unscaled; null if none
  int m_imageSide = kImageSize;
};
