#include "canvas/ensemble_voter.h"

#include <QElapsedTimer>
#include <algorithm>

#include "convscope/backends.h"
#include "convscope/store.h"

EnsembleVoter::EnsembleVoter(QObject* parent) : QObject(parent) {
  qRegisterMetaType<EnsembleVote>();
}

EnsembleVoter::~EnsembleVoter() = default;

void EnsembleVoter::load(const QString& storePath, qint64 run, int epochs,
                         const cs::GroupConfig& group) {
  if (m_backend && storePath == m_storePath && run == m_run && epochs == m_epochs) return;
  m_backend.reset();
  m_run = -1;
  // The backend wants data to configure with: one blank image of the network's shape.
  cs::Dataset one;
  one.name = "vote";
  one.shape = group.spec.input;
  one.classes = group.spec.classes;
  one.count = 1;
  one.images.assign(static_cast<size_t>(group.spec.input.size()), 0);
  one.labels = {0};
  cs::GroupConfig cfg = group;
  cfg.batch_size = 1;
  auto backend = std::move(cs::make_backend(cs::BackendChoice::Cpu).backend);
  backend->configure(cfg, one, one);
  cs::Store store(storePath.toStdString(), cs::StoreAccess::ReadOnly);
  const std::vector<cs::ParamInfo> params = group.spec.params();
  for (int net = 0; net < group.nets(); ++net) {
    const std::vector<cs::NamedTensor> tensors = store.load_weights(run, net);
    for (size_t p = 0; p < params.size(); ++p) {
      const auto t = std::find_if(tensors.begin(), tensors.end(), [&](const cs::NamedTensor& x) {
        return x.name == params[p].name;
      });
      if (t == tensors.end() || t->data.size() != static_cast<size_t>(params[p].size()))
        throw cs::StoreError("run " + std::to_string(run) + " network " + std::to_string(net) +
                             ": tensor " + params[p].name +
                             (t == tensors.end() ? " is missing" : " has the wrong size"));
      backend->write_tensor(net, static_cast<int>(p), cs::TensorRole::Param, t->data.data());
    }
  }
  m_backend = std::move(backend);
  m_storePath = storePath;
  m_run = run;
  m_epochs = epochs;
}

void EnsembleVoter::vote(int id, const QString& storePath, qint64 run, int epochs,
                         const cs::GroupConfig& group, const std::vector<float>& image) {
  EnsembleVote out;
  try {
    if (static_cast<long long>(image.size()) != group.spec.input.size())
      throw cs::InputError("the run's networks take " + std::to_string(group.spec.input.c) + "x" +
                           std::to_string(group.spec.input.h) + "x" +
                           std::to_string(group.spec.input.w) +
                           " images; a drawn digit is 1x28x28");
    load(storePath, run, epochs, group);
    QElapsedTimer clock;
    clock.start();
    const int nets = group.nets(), classes = group.spec.classes;
    std::vector<float> probs(static_cast<size_t>(nets) * classes);
    for (int net = 0; net < nets; ++net)
      m_backend->predict(net, image.data(), 1, probs.data() + static_cast<size_t>(net) * classes,
                         nullptr);
    out = EnsembleVote(std::move(probs), nets, classes);
    out.milliseconds = clock.nsecsElapsed() * 1e-6;
  } catch (const std::exception& e) {
    out.error = QString::fromStdString(cs::describe(e).message);
  }
  out.id = id;
  Q_EMIT voted(out);
}
