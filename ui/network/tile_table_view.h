// The table view of one filter grid: no headers, no grid lines, no selection; sized to its content
// height so that the inspector's scroll area scrolls instead; flowing grids re-flow on resize.
#pragma once

#include <QTableView>

class FilterGridModel;

class TileTableView : public QTableView {
  Q_OBJECT

 public:
  explicit TileTableView(FilterGridModel* model, QWidget* parent = nullptr);

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  QSize pitch() const;  // one cell, tile plus margins
  void relayout();
  int contentHeight() const;

  FilterGridModel* m_model;
};
