// SIGINT, SIGTERM and SIGHUP as a Qt signal on the thread that made the object: the handler only
// writes the signal's number to a socket pair, which a QSocketNotifier reads (the pattern of Qt's
// "Calling Qt Functions From Unix Signal Handlers"). A signal the process was started ignoring
// (`nohup` ignores SIGHUP) stays ignored. One instance at a time; the previous handlers come back
// when it is destroyed.
#pragma once

#include <QObject>
#include <QString>
#include <csignal>

class QSocketNotifier;

class TerminationSignals : public QObject {
  Q_OBJECT

 public:
  static constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

  explicit TerminationSignals(QObject* parent = nullptr);
  ~TerminationSignals() override;

  static QString name(int signal);  // "SIGTERM"

 Q_SIGNALS:
  void received(int signal);

 private:
  static void handle(int signal);
  void readSignal();

  QSocketNotifier* m_notifier = nullptr;
  struct sigaction m_previous[std::size(kSignals)] = {};
};
