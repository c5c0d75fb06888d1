#include "canvas/vote_panel.h"

#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableView>

#include "canvas/digit_canvas.h"
#include "canvas/digit_input.h"
#include "canvas/ensemble_voter.h"
#include "canvas/pixel_image_view.h"
#include "canvas/share_bar_delegate.h"
#include "canvas/vote_model.h"
#include "widgets/count_text.h"

namespace {

constexpr int kRenderSide = 280;

}  // namespace

VotePanel::VotePanel(QWidget* parent)
    : QWidget(parent),
      m_canvas(new DigitCanvas),
      m_preview(new PixelImageView(84)),
      m_model(new VoteModel(this)),
      m_table(new QTableView),
      m_summary(new QLabel),
      m_nets(new QLabel),
      m_voter(new EnsembleVoter) {
  setObjectName(QStringLiteral("votePanel"));
  qRegisterMetaType<EnsembleVote>();
  m_voter->moveToThread(&m_thread);
  m_thread.setObjectName(QStringLiteral("convscope-vote"));
  connect(&m_thread, &QThread::finished, m_voter, &QObject::deleteLater);
  m_thread.start();

  m_preview->setPlaceholder(tr("28×28"));
  m_table->setModel(m_model);
  m_table->setItemDelegate(new ShareBarDelegate(m_table));
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setSelectionMode(QAbstractItemView::SingleSelection);
  m_table->verticalHeader()->hide();
  m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  m_table->verticalHeader()->setDefaultSectionSize(22);
  m_table->setToolTip(tr("Click a class to list the networks that chose it"));
  m_summary->setWordWrap(true);
  m_summary->setTextFormat(Qt::RichText);
  m_nets->setWordWrap(true);
  m_nets->setObjectName(QStringLiteral("note"));
  m_nets->setTextInteractionFlags(Qt::TextSelectableByMouse);
  const DigitCanvas::EditButtons edit = m_canvas->createEditButtons(this);

  auto* grid = new QGridLayout(this);
  grid->setContentsMargins(8, 6, 8, 6);
  grid->addWidget(m_canvas, 0, 0, 3, 2);
  grid->addWidget(edit.clear, 3, 0);
  grid->addWidget(edit.undo, 3, 1);
  grid->addWidget(m_preview, 0, 2, Qt::AlignTop);
  grid->addWidget(m_summary, 0, 3, Qt::AlignTop);
  grid->addWidget(m_table, 1, 2, 1, 2);
  grid->addWidget(m_nets, 2, 2, 2, 2, Qt::AlignTop);
  grid->setColumnStretch(0, 1);
  grid->setColumnStretch(1, 1);
  grid->setColumnStretch(3, 2);
  grid->setRowStretch(1, 1);
  setRun({}, -1, 0, {}, {});

  connect(m_canvas, &DigitCanvas::changed, this, &VotePanel::onDrawingChanged);
  connect(m_voter, &EnsembleVoter::voted, this, &VotePanel::onVoted);
  connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &VotePanel::showNets);
}

VotePanel::~VotePanel() {
  m_thread.quit();
  m_thread.wait();
}

void VotePanel::setRun(const QString& storePath, qint64 run, int epochs,
                       const cs::GroupConfig& group, const ClassNames& names) {
  m_storePath = storePath;
  m_run = run;
  m_epochs = epochs;
  m_group = group;
  m_model->setClassNames(names);
  clearVote();
  send();
}

void VotePanel::clearVote() {
  m_model->setVote({});
  m_summary->setText(m_run < 0 ? tr("Open a stored run: its networks vote on the drawing.")
                               : tr("Draw a digit for the %1 of run %2 to vote on.")
                                     .arg(countText(m_group.nets(), tr("network"), tr("networks")))
                                     .arg(m_run));
  m_nets->clear();
}

void VotePanel::onDrawingChanged() {
  cs::DigitResult digit;
  try {
    digit = DigitInput::preprocess(m_canvas->render(kRenderSide));
  } catch (const std::exception& e) {  // said, not cleared by the empty input's words
    m_dirty = false;                   // nor by a vote of the drawing before it
    m_input.clear();
    m_preview->setImage({});
    clearVote();
    m_summary->setText(QString::fromUtf8(e.what()));
    return;
  }
  m_input = DigitInput::toFloats(digit);
  m_preview->setImage(m_input.empty()
                          ? QImage()
                          : DigitInput::toImage(m_input.data(), cs::kDigitSide, cs::kDigitSide));
  send();
}

void VotePanel::send() {
  if (m_run < 0 || m_input.empty()) {
    if (m_input.empty()) clearVote();  // the canvas cleared: the last vote's words go with it
    return;
  }
  if (m_inFlight >= 0) {
    m_dirty = true;
    return;
  }
  m_dirty = false;
  m_inFlight = ++m_lastId;
  QMetaObject::invokeMethod(
      m_voter,
      [voter = m_voter, id = m_inFlight, path = m_storePath, run = m_run, epochs = m_epochs,
       group = m_group, image = m_input] { voter->vote(id, path, run, epochs, group, image); },
      Qt::QueuedConnection);
}

void VotePanel::onVoted(const EnsembleVote& vote) {
  if (vote.id != m_inFlight) return;
  m_inFlight = -1;
  if (m_dirty) return send();                // the drawing changed meanwhile: its vote comes next
  if (m_input.empty() || m_run < 0) return;  // cleared, or its run closed meanwhile
  const int selected = m_table->currentIndex().isValid() ? m_table->currentIndex().row() : -1;
  m_model->setVote(vote);
  if (!vote.error.isEmpty()) {
    m_summary->setText(vote.error.toHtmlEscaped());
  } else if (vote.majority() < 0) {
    m_summary->setText(tr("No vote: not one of the %1 networks' probabilities are numbers (their "
                          "outputs overflowed).")
                           .arg(vote.nets()));
  } else {
    const int major = vote.majority();
    const int silent = vote.nets() - vote.answered();
    m_summary->setText(
        tr("Majority <b>%1</b>: %2 of %3 votes%7<br>disagreement %4% · vote entropy %5 bits<br>"
           "%6 ms for %3 networks")
            .arg(m_model->index(major, VoteModel::ClassColumn).data().toString().toHtmlEscaped())
            .arg(vote.votes(major))
            .arg(vote.nets())
            .arg(numberText(vote.disagreement() * 100, 0), numberText(vote.voteEntropy(), 2),
                 numberText(vote.milliseconds, vote.milliseconds < 1 ? 2 : 0),
                 silent > 0 ? tr(" (%1 without an answer: probabilities not numbers)").arg(silent)
                            : QString()));
    if (selected >= 0) selectClass(selected);
  }
  Q_EMIT voted(vote);
}

void VotePanel::selectClass(int label) {
  m_table->selectRow(label);
  showNets();
}

QString VotePanel::netsText() const {
  return m_nets->text();
}

QString VotePanel::summaryText() const {
  return m_summary->text();
}

void VotePanel::showNets() {
  const QModelIndexList rows = m_table->selectionModel()->selectedRows();
  const EnsembleVote& vote = m_model->vote();
  if (rows.isEmpty() || vote.isEmpty()) return m_nets->clear();
  const int label = rows.first().row();
  QStringList nets;
  for (int n : vote.netsVoting(label)) nets << QString::number(n);
  const QString name = m_model->index(label, VoteModel::ClassColumn).data().toString();
  m_nets->setText(nets.isEmpty() ? tr("No network chose %1.").arg(name)
                                 : tr("Networks choosing %1: %2").arg(name, nets.join(", ")));
}
