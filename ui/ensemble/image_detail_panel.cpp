#include "ensemble/image_detail_panel.h"

#include <QEvent>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>

#include "ensemble/epoch_learning_strip.h"
#include "ensemble/net_predictions_model.h"
#include "ensemble/top_prediction_delegate.h"
#include "ensemble/validation_images.h"
#include "widgets/count_text.h"
#include "widgets/palette.h"

ImageDetailPanel::ImageDetailPanel(QWidget* parent)
    : QWidget(parent),
      m_model(new NetPredictionsModel(this)),
      m_proxy(new QSortFilterProxyModel(this)),
      m_picture(new QLabel),
      m_heading(new QLabel),
      m_caption(new QLabel),
      m_votes(new QLabel),
      m_epochText(new QLabel),
      m_epochStrip(new EpochLearningStrip),
      m_table(new QTableView) {
  m_proxy->setSourceModel(m_model);
  m_proxy->setSortRole(NetPredictionsModel::SortRole);
  m_picture->setObjectName(QStringLiteral("probeImage"));
  m_picture->setFixedSize(m_imageSide + 2, m_imageSide + 2);
  m_picture->setAlignment(Qt::AlignCenter);
  m_heading->setObjectName(QStringLiteral("sectionTitle"));
  for (QLabel* label : {m_caption, m_votes, m_epochText}) {
    label->setWordWrap(true);
    label->setTextFormat(Qt::RichText);
    label->setAlignment(Qt::AlignLeft | Qt::AlignTop);
  }

  m_table->setModel(m_proxy);
  auto* delegate = new TopPredictionDelegate(m_table);
  for (int c = NetPredictionsModel::Top1Column; c <= NetPredictionsModel::Top3Column; ++c)
    m_table->setItemDelegateForColumn(c, delegate);
  m_table->setSortingEnabled(true);
  m_table->sortByColumn(NetPredictionsModel::NetColumn, Qt::AscendingOrder);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_table->setAlternatingRowColors(false);
  m_table->verticalHeader()->hide();
  m_table->verticalHeader()->setDefaultSectionSize(24);
  // The numbers as wide as they are; the top-3 columns share the rest.
  m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  for (const int c : {NetPredictionsModel::NetColumn, NetPredictionsModel::AccuracyColumn,
                      NetPredictionsModel::TrueProbColumn})
    m_table->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
  m_table->horizontalHeader()->setStretchLastSection(false);
  m_table->setShowGrid(false);
  m_table->viewport()->installEventFilter(this);  // fitTopColumns at each new width

  auto* top = new QGridLayout;
  top->setHorizontalSpacing(12);
  top->addWidget(m_picture, 0, 0, 3, 1, Qt::AlignTop);
  top->addWidget(m_heading, 0, 1);
  top->addWidget(m_caption, 1, 1);
  top->addWidget(m_votes, 2, 1);
  top->setRowStretch(2, 1);
  top->setColumnStretch(1, 1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(8);
  layout->addLayout(top);
  layout->addWidget(m_epochText);
  layout->addWidget(m_epochStrip);
  layout->addWidget(m_table, 1);
  setImage(nullptr, -1);
}

int ImageDetailPanel::image() const {
  return m_model->image();
}

QString ImageDetailPanel::captionText() const {
  return m_caption->text();
}

QString ImageDetailPanel::votesText() const {
  return m_votes->text();
}

QString ImageDetailPanel::epochText() const {
  return m_epochText->text();
}

void ImageDetailPanel::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  const int side = std::clamp((height() - kTableRoom) / 28 * 28, kMinImageSize, kImageSize);
  if (side == m_imageSide) return;
  m_imageSide = side;
  m_picture->setFixedSize(side + 2, side + 2);
  showPicture();
}

bool ImageDetailPanel::eventFilter(QObject* watched, QEvent* event) {
  if (watched == m_table->viewport() && event->type() == QEvent::Resize) fitTopColumns();
  return QWidget::eventFilter(watched, event);
}

void ImageDetailPanel::fitTopColumns() {
  const QHeaderView* header = m_table->horizontalHeader();
  int fixed = 0;
  for (const int c : {NetPredictionsModel::NetColumn, NetPredictionsModel::AccuracyColumn,
                      NetPredictionsModel::TrueProbColumn})
    fixed += header->sectionSize(c);
  const int share = (m_table->viewport()->width() - fixed) / 3;
  m_table->setColumnHidden(NetPredictionsModel::Top3Column,
                           share < TopPredictionDelegate::fullWidth(m_table->font()));
}

void ImageDetailPanel::showPicture() {
  if (m_image.isNull()) return;
  m_picture->setPixmap(QPixmap::fromImage(
      m_image.scaled(m_imageSide, m_imageSide, Qt::KeepAspectRatio, Qt::FastTransformation)));
}

void ImageDetailPanel::setImage(const EnsembleRunPtr& run, int image) {
  m_model->setImage(run, image);
  m_image = {};
  if (m_model->image() < 0) {
    m_picture->setPixmap({});
    m_picture->setText(tr("no image"));
    m_heading->setText(tr("No image selected"));
    m_caption->setText(tr("Select a row of the table to see what each network predicts."));
    m_votes->clear();
    m_epochText->clear();
    m_epochStrip->setCounts({}, 0);
    return;
  }
  const cs::ImageStats& s = run->image(image);
  if (run->images()) {
    m_image = ValidationImages::image(*run->images(), image);
    showPicture();
  } else {
    m_picture->setPixmap({});
    m_picture->setText(tr("image\nnot available"));
  }
  m_heading->setText(tr("Image %1").arg(image));
  const QString wrongColor = palette::html(palette::kWrong),
                rightColor = palette::html(palette::kRightText);
  const ClassNames& names = run->classNames();
  m_caption->setText(tr("True label <b>%1</b> · ensemble vote <b style='color:%2'>%3</b><br>"
                        "wrong in <b>%4</b> of %5 networks · mean&nbsp;p(true)&nbsp;%6<br>"
                        "disagreement %7 bits")
                         .arg(names.name(s.label).toHtmlEscaped())
                         .arg(s.vote == s.label ? rightColor : wrongColor)
                         .arg(s.vote == cs::kNoLabel
                                  ? tr("none")  // no network's probabilities are numbers
                                  : names.name(s.vote).toHtmlEscaped())
                         .arg(s.wrong)
                         .arg(run->nets())
                         .arg(numberText(s.mean_true_prob, 3))
                         .arg(numberText(s.disagreement, 2)));
  std::vector<std::pair<int, int>> votes;  // (count, label)
  for (int label = 0; label < run->classes(); ++label)
    if (const int n = run->votes(image, label); n > 0) votes.emplace_back(n, label);
  std::sort(votes.begin(), votes.end(), [](auto a, auto b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  QStringList parts;
  int answered = 0;
  for (const auto& [n, label] : votes) {
    parts << QStringLiteral("<span style='color:%1'><b>%2</b> ×%3</span>")
                 .arg(label == s.label ? rightColor : wrongColor)
                 .arg(names.name(label).toHtmlEscaped())
                 .arg(n);
    answered += n;
  }
  if (answered < run->nets())  // networks whose probabilities are not numbers
    parts << tr("<span style='color:%1'>no answer ×%2</span>")
                 .arg(wrongColor)
                 .arg(run->nets() - answered);
  m_votes->setText(tr("Top-1 votes: %1").arg(parts.join(QStringLiteral(" · "))));

  if (!run->hasHistory()) {
    m_epochText->setText(
        tr("No per-epoch history: this run was recorded before the store kept "
           "every epoch's predictions."));
    m_epochStrip->setCounts({}, 0);
    return;
  }
  std::vector<int> right;  // networks right at each epoch
  for (int e = 1; e <= run->historyEpochs(); ++e) right.push_back(run->rightAtEpoch(image, e));
  QStringList counts;
  for (int n : right) counts << QString::number(n);
  if (right.size() == 1) {  // nothing to forget yet
    m_epochText->setText(tr("Networks right at epoch 1: %1 of %2").arg(right[0]).arg(run->nets()));
  } else {
    m_epochText->setText(tr("Networks right at epochs 1–%1 (of %2): %3 · %4")
                             .arg(run->historyEpochs())
                             .arg(run->nets())
                             .arg(counts.join(QStringLiteral(" ")))
                             .arg(forgottenText(run->forgotten(image))));
  }
  m_epochStrip->setCounts(std::move(right), run->nets());
}
