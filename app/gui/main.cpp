// convscope: train a CNN on MNIST and watch it learn.
//
//   convscope                                   the desktop app (SIGINT, SIGTERM or SIGHUP save
//                                               an unsaved run, restored at the next start)
//   convscope --demo-train-steps N --screenshot-dir D
//       trains N steps on the real data, evaluates, saves screenshots of every view into D, quits
//   convscope --window-size WxH ...               the window's size on start (e.g. 1366x768)
//   convscope --bench-epochs N
//       trains the reference network N epochs in the app, prints epoch time, samples/s and the
//       GUI thread's CPU use, quits (scripts/bench-app.sh compares it with convscope-cli bench)
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QMessageBox>
#include <cstdio>

#include "bench_director.h"
#include "convscope/dataset.h"
#include "screenshot_director.h"
#include "widgets/wheel_guard.h"
#include "window/main_window.h"
#include "window/termination_signals.h"

namespace {

struct StartupData {
  DatasetPtr data;
  QString problem;  // why there is no data, with the fix
};

StartupData loadMnist() {
  const std::string dir = cs::default_mnist_dir();
  try {
    return {std::make_shared<const cs::DatasetPair>(cs::load_idx_folder(dir, "mnist")), {}};
  } catch (const std::exception& e) {
    return {nullptr, QObject::tr("MNIST could not be loaded from %1:\n%2\n\nRun "
                                 "scripts/fetch-mnist.sh to install it (or set CONVSCOPE_DATA to "
                                 "a folder with the four IDX files), or choose another IDX folder "
                                 "in the Dataset list.")
                         .arg(QDir::toNativeSeparators(QString::fromStdString(dir)),
                              QString::fromUtf8(e.what()))};
  }
}

}  // namespace

int main(int argc, char** argv) {
  Q_INIT_RESOURCE(convscope);
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("Convscope"));
  QApplication::setApplicationName(QStringLiteral("convscope"));
  QApplication::setApplicationDisplayName(QStringLiteral("Convscope"));
  QApplication::setApplicationVersion(QStringLiteral(CONVSCOPE_VERSION));
  QApplication::setStyle(QStringLiteral("Fusion"));
  QFile style(QStringLiteral(":/convscope.qss"));
  if (style.open(QIODevice::ReadOnly)) app.setStyleSheet(QString::fromUtf8(style.readAll()));
  new WheelGuard(&app);  // the wheel scrolls the panels, not the field under the pointer

  QCommandLineParser parser;
  parser.setApplicationDescription(QObject::tr("Train a CNN on MNIST and watch it learn."));
  parser.addHelpOption();
  parser.addVersionOption();
  const QCommandLineOption steps(QStringLiteral("demo-train-steps"),
                                 QObject::tr("Train <steps> steps, evaluate, then take the "
                                             "screenshots (with --screenshot-dir)."),
                                 QObject::tr("steps"), QStringLiteral("600"));
  const QCommandLineOption shots(QStringLiteral("screenshot-dir"),
                                 QObject::tr("Save screenshots of every view into <dir> and quit."),
                                 QObject::tr("dir"));
  const QCommandLineOption windowSize(QStringLiteral("window-size"),
                                      QObject::tr("Start with the window <width>x<height>."),
                                      QObject::tr("size"));
  const QCommandLineOption bench(QStringLiteral("bench-epochs"),
                                 QObject::tr("Train the reference network <epochs> epochs (the "
                                             "first warms up), print its speed and quit."),
                                 QObject::tr("epochs"));
  parser.addOptions({steps, shots, windowSize, bench});
  parser.process(app);
  const bool automated = parser.isSet(shots) || parser.isSet(bench);

  const StartupData startup = loadMnist();
  if (!startup.data) {
    if (automated) {
      std::fprintf(stderr, "convscope: %s\n", qPrintable(startup.problem));
      return 1;
    }
    QMessageBox::critical(nullptr, QObject::tr("MNIST is missing"), startup.problem);
  }

  MainWindow window(startup.data, startup.problem);
  if (parser.isSet(windowSize)) {
    const QStringList wh = parser.value(windowSize).split(QLatin1Char('x'));
    const int w = wh.value(0).toInt(), h = wh.value(1).toInt();
    if (wh.size() != 2 || w <= 0 || h <= 0) {
      std::fprintf(stderr, "convscope: --window-size wants WIDTHxHEIGHT, e.g. 1366x768\n");
      return 2;
    }
    window.setWindowState(Qt::WindowNoState);  // a first window may start maximized
    window.resize(w, h);
  }
  window.show();
  // Ctrl+C in the terminal, a logout, `kill`: the unsaved run is kept (MainWindow::closeForSignal).
  TerminationSignals terminate;
  QObject::connect(&terminate, &TerminationSignals::received, &window, [&window](int signal) {
    const QString saved = window.closeForSignal(signal);
    if (!saved.isEmpty())
      std::fprintf(stderr, "convscope: %s: the unsaved run was saved to %s\n",
                   qPrintable(TerminationSignals::name(signal)), qPrintable(saved));
    QApplication::exit(128 + signal);
  });
  if (!automated) return QApplication::exec();

  if (parser.isSet(bench)) {
    BenchDirector director(&window, parser.value(bench).toInt());
    QObject::connect(&director, &BenchDirector::finished, &app, &QApplication::exit);
    director.start();
    return QApplication::exec();
  }
  ScreenshotDirector director(&window, parser.value(steps).toInt(), parser.value(shots));
  QObject::connect(&director, &ScreenshotDirector::finished, &app, &QApplication::exit);
  director.start();
  return QApplication::exec();
}
