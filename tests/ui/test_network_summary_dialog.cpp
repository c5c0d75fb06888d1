// Training ▸ Network summary…: the model's rows for the reference network (QAbstractItemModelTester
// watching), and the dialog following the hyperparameter panel as its architecture changes, as it
// grows too large for the live view (still shown), as it is made impossible and as the dataset
// goes and comes back.
#include <QAbstractItemModelTester>
#include <QAction>
#include <QLocale>
#include <QTest>

#include "convscope/network_summary.h"
#include "settings/hyperparameter_panel.h"
#include "settings/network_summary_model.h"
#include "test_data.h"
#include "window/network_summary_action.h"
#include "window/network_summary_dialog.h"

class TestNetworkSummaryDialog : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { testing_data::resetSettings(); }
  void referenceNetworkRows();
  void dialogFollowsThePanel();
};

namespace {

QString cell(const QAbstractItemModel& m, int row, int column) {
  return m.index(row, column).data().toString();
}

}  // namespace

void TestNetworkSummaryDialog::referenceNetworkRows() {
  NetworkSummaryModel model;
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
  QCOMPARE(model.rowCount(), 0);
  const cs::NetworkSummary s = cs::summarize(cs::NetworkSpec::reference());
  model.setSummary(s);
  QCOMPARE(model.rowCount(), 8);  // input, six layers, total
  QCOMPARE(model.columnCount(), int(NetworkSummaryModel::ColumnCount));
  const QLocale locale;
  QCOMPARE(cell(model, 0, NetworkSummaryModel::Layer), QStringLiteral("input"));
  QCOMPARE(cell(model, 0, NetworkSummaryModel::Output), QStringLiteral("1×28×28"));
  QCOMPARE(cell(model, 1, NetworkSummaryModel::Layer), QStringLiteral("conv1"));
  QCOMPARE(cell(model, 1, NetworkSummaryModel::Kind), QStringLiteral("conv 5x5x8 relu"));
  QCOMPARE(cell(model, 1, NetworkSummaryModel::Output), QStringLiteral("8×24×24"));
  QCOMPARE(cell(model, 1, NetworkSummaryModel::Parameters), locale.toString(208));
  QCOMPARE(cell(model, 1, NetworkSummaryModel::MultiplyAdds), locale.toString(115'200));
  QCOMPARE(cell(model, 1, NetworkSummaryModel::TrainMultiplyAdds), locale.toString(230'400));
  QCOMPARE(cell(model, 5, NetworkSummaryModel::Layer), QStringLiteral("fc1"));
  QCOMPARE(cell(model, 5, NetworkSummaryModel::Output), QStringLiteral("128"));
  QCOMPARE(cell(model, 7, NetworkSummaryModel::Layer), QStringLiteral("total"));
  QCOMPARE(cell(model, 7, NetworkSummaryModel::Parameters), locale.toString(37'610));
  QCOMPARE(cell(model, 7, NetworkSummaryModel::MultiplyAdds), locale.toString(354'048));
  QCOMPARE(cell(model, 7, NetworkSummaryModel::TrainMultiplyAdds), locale.toString(946'944));
  QVERIFY(model.index(7, 0).data(Qt::FontRole).value<QFont>().bold());
  QVERIFY(!model.headerData(NetworkSummaryModel::TrainMultiplyAdds, Qt::Horizontal, Qt::ToolTipRole)
               .toString()
               .isEmpty());
}

void TestNetworkSummaryDialog::dialogFollowsThePanel() {
  HyperparameterPanel panel;
  QWidget window;
  NetworkSummaryAction summary(&panel, &window);
  panel.setDatasetInfo(DatasetInfo::missing(QStringLiteral("no MNIST")));
  QVERIFY(!summary.action()->isEnabled());
  summary.open();
  QVERIFY(!summary.dialog());

  panel.setDatasetInfo(testing_data::mnistInfo());
  QVERIFY(summary.action()->isEnabled());
  summary.action()->trigger();
  NetworkSummaryDialog* dialog = summary.dialog();
  QVERIFY(dialog);
  QVERIFY(dialog->isVisible());
  QAbstractItemModelTester tester(dialog->model(),
                                  QAbstractItemModelTester::FailureReportingMode::QtTest);
  QCOMPARE(dialog->model()->summary().params, panel.validation().parameters);
  QVERIFY2(dialog->note().contains(QStringLiteral("113.6 GFLOP")), qPrintable(dialog->note()));
  summary.open();  // the same dialog raised, not a second
  QCOMPARE(summary.dialog(), dialog);

  // A narrower dense layer: the dialog follows.
  TrainingSettings s = panel.settings();
  s.denseWidth = 64;
  panel.setSettings(s);
  const cs::NetworkSummary& narrow = dialog->model()->summary();
  QCOMPARE(narrow.params, panel.validation().parameters);
  QCOMPARE(narrow.layers[4].params, 256LL * 64 + 64);
  // A network the live view refuses (over 20 M parameters), but a possible one: summarised.
  TrainingSettings large = s;
  large.convBlocks = {{1, 32, PoolKind::None, 2}};
  large.denseWidth = 2048;
  panel.setSettings(large);
  QVERIFY(!panel.validation().ok);
  QVERIFY2(panel.validation().message.contains(QStringLiteral("too many")),
           qPrintable(panel.validation().message));
  QCOMPARE(dialog->model()->summary().params, 64 + 32LL * 28 * 28 * 2048 + 2048 + 2048 * 10 + 10);
  // An impossible one: the reason instead of a table.
  s.convBlocks.push_back({9, 16, PoolKind::None, 2});
  panel.setSettings(s);
  QCOMPARE(dialog->model()->rowCount(), 0);
  QVERIFY2(dialog->note().contains(QStringLiteral("layer 5")), qPrintable(dialog->note()));
  s.convBlocks.pop_back();
  panel.setSettings(s);
  QCOMPARE(dialog->model()->rowCount(), 8);
  // No dataset while it is open, then one again.
  panel.setDatasetInfo(DatasetInfo::missing(QStringLiteral("no MNIST")));
  QCOMPARE(dialog->model()->rowCount(), 0);
  QVERIFY2(dialog->note().contains(QStringLiteral("no dataset")), qPrintable(dialog->note()));
  QVERIFY(!summary.action()->isEnabled());
  panel.setDatasetInfo(testing_data::mnistInfo());
  QCOMPARE(dialog->model()->rowCount(), 8);
  dialog->close();
  QTRY_VERIFY(!summary.dialog());  // deleted on close
}

QTEST_MAIN(TestNetworkSummaryDialog)
#include "test_network_summary_dialog.moc"
