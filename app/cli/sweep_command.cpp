// convscope-cli sweep: one ensemble per configuration of a grid or list, recorded in the run store
// and tied together by a sweep record; under `mpirun -n K` the work is sharded over the ranks
// (sweep_run.h), rank 0 writing the store. Running the same command again resumes the sweep.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <thread>

#include "commands.h"
#include "convscope/backends.h"
#include "convscope/sweep_run.h"
#include "interrupt.h"
#include "options.h"
#include "progress.h"
#if CONVSCOPE_HAVE_MPI
#include "mpi_transport.h"
#endif

namespace cs::cli {

namespace {

namespace fs = std::filesystem;

struct Spread {
  double mean = 0, std = 0, min = 0, max = 0;
};

Spread spread(const std::vector<float>& acc) {
  Spread s;
  if (acc.empty()) return s;
  s.min = s.max = acc[0];
  for (float a : acc) {
    s.mean += a / static_cast<double>(acc.size());
    s.min = std::min<double>(s.min, a);
    s.max = std::max<double>(s.max, a);
  }
  for (float a : acc) s.std += (a - s.mean) * (a - s.mean);
  s.std = acc.size() > 1 ? std::sqrt(s.std / static_cast<double>(acc.size() - 1)) : 0;
  return s;
}

// The configurations side by side: accuracy distribution over the networks of each.
void print_sweep(Store& store, const SweepRecord& sweep) {
  std::printf("sweep %lld (%s): %d of %zu configurations finished%s\n",
              static_cast<long long>(sweep.id), sweep.created.c_str(), sweep.finished(),
              sweep.configs.size(), sweep.trained_elsewhere ? "; being trained now" : "");
  std::printf("%4s %-11s %5s %5s %8s %6s %8s %8s  %s\n", "#", "status", "run", "nets", "mean",
              "std", "min", "max", "configuration");
  const int epochs = SweepPlan::from_definition(sweep.definition).settings.epochs;
  std::string stopped;  // where the stopped configurations go on from when the sweep resumes
  for (const SweepConfigState& c : sweep.configs) {
    std::string status = c.run < 0 ? "pending" : to_string(c.status);
    const StoredRun run = c.run < 0 ? StoredRun{} : store.load_run(c.run);
    if (c.run >= 0 && !c.finished() && c.status != RunStatus::Running) {
      const int done = run.info.epochs_done;
      const auto place = store.load_stopped_epoch(c.run, false);
      stopped += "config " + std::to_string(c.index) + " stopped " +
                 (place ? std::to_string(place->position) + " images into epoch " +
                              std::to_string(done + 1)
                        : "after epoch " + std::to_string(done)) +
                 " of " + std::to_string(epochs) + "\n";
    }
    if (run.epochs.empty()) {  // no accuracy yet
      const std::string id = c.run < 0 ? "-" : std::to_string(c.run);
      const std::string nets = c.run < 0 ? "-" : std::to_string(run.info.setup.group.nets());
      std::printf("%4d %-11s %5s %5s %8s %6s %8s %8s  %s\n", c.index, status.c_str(), id.c_str(),
                  nets.c_str(), "-", "-", "-", "-", c.key.c_str());
      continue;
    }
    const Spread s = spread(run.epochs.back().net_val_accuracy);
    std::printf("%4d %-11s %5lld %5d %7.2f%% %6.2f %7.2f%% %7.2f%%  %s\n", c.index, status.c_str(),
                static_cast<long long>(c.run), run.info.setup.group.nets(), 100 * s.mean,
                100 * s.std, 100 * s.min, 100 * s.max, c.key.c_str());
  }
  std::fputs(stopped.c_str(), stdout);
}

int delete_sweep(const Args& args) {
  const long long id = args.u64("delete");
  const bool keep = args.given("keep-runs");
  change_store(args.str("store"), "delete", "store", [&](Store& store) {
    std::string runs;
    for (const SweepConfigState& c : store.load_sweep(id).configs)
      if (c.run >= 0) runs += (runs.empty() ? "" : ", ") + std::to_string(c.run);
    store.delete_sweep(id, !keep);
    if (runs.empty())
      std::fprintf(stderr, "deleted sweep %lld (it had no runs)\n", id);
    else
      std::fprintf(stderr, "deleted sweep %lld; its runs (%s) %s\n", id, runs.c_str(),
                   keep ? "stay, as runs of no sweep" : "deleted too");
  });
  return 0;
}

int show(const Args& args) {
  Store store(args.str("store"), StoreAccess::ReadOnly);
  long long id = args.u64("show");
  if (id == 0) {
    const std::vector<int64_t> ids = store.list_sweeps();
    if (ids.empty()) throw StoreError(store.path() + ": no sweeps in this store");
    id = ids.front();
  }
  print_sweep(store, store.load_sweep(id));
  return 0;
}

// The backend of this rank: under MPI, CUDA device = the rank's index on its node.
// --threads 0 under MPI: the node's cores shared among its ranks.
BackendSelection rank_backend(const Args& args, int local_rank, int local_size, bool mpi) {
  const BackendRequest request = backend_request(args);
  if (!mpi) return select_backend(request);
  int threads = request.threads;
  if (threads == 0)
    threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / local_size);
  if (request.choice == BackendChoice::Cpu) return {make_cpu_backend(threads), {}};
  const CudaStatus cuda = cuda_status();
  if (cuda.available) {
    try {
      BackendSelection sel{make_cuda_backend(local_rank), {}};
      std::fprintf(stderr, "backend: cuda device %d (%s)\n", local_rank,
                   sel.backend->info().device.c_str());
      return sel;
    } catch (const BackendError& e) {
      if (request.choice == BackendChoice::Cuda) throw;
      std::fprintf(stderr, "note: CUDA device %d: %s; using the CPU\n", local_rank, e.what());
    }
  } else if (request.choice == BackendChoice::Cuda) {
    throw BackendError("no usable GPU: " + cuda.reason);
  }
  return {make_cpu_backend(threads), {}};
}

// A sweep stored before data folders were named by their absolute path names a relative --data
// as it was given. The same command would begin another sweep beside it and train everything
// again: refused, saying how to resume that one (or to give --new).
void refuse_a_second_of_an_old_sweep(const Args& args, const SweepPlan& plan, Store& store) {
  const std::string given = args.given("data") ? args.str("data") : std::string();
  if (given.empty() || plan.settings.data == "mnist" || !fs::path(given).is_relative()) return;
  SweepPlan before = plan;
  before.settings.data = given == "mnist" || given == "fashion-mnist" ? "./" + given : given;
  const int64_t old = store.find_sweep(before.definition());
  if (old < 0 || store.find_sweep(plan.definition()) >= 0) return;
  throw UsageError("--data: sweep " + std::to_string(old) + " in " + store.path() +
                   " has these settings on the data folder " + given +
                   ", named so before data folders were named by their absolute path: resume it "
                   "with --resume " +
                   std::to_string(old) + " from the folder it started in, or give --new");
}

// One rank's sweep; `exit_mpi(code)`: how MPI ends (-1: finalize, else abort with code).
int sweep(const Args& args, SweepTransport& tr, int local_rank, int local_size,
          const std::function<void(int)>& exit_mpi) {
  const bool root = tr.rank() == 0;

  // The plan: from the flags, or (--resume) from the store, read by rank 0 and broadcast.
  const int sources = args.given("grid") + args.given("file") + args.given("resume");
  if (sources != 1) throw UsageError("give exactly one of --grid, --file and --resume");
  const int save_every = args.integer("save-every", 0, 86400);
  std::unique_ptr<Store> store;
  const auto open_store = [&] {
    if (root && !store) store = std::make_unique<Store>(args.str("store"));
  };
  SweepPlan plan;
  int64_t resume = args.on("new") ? -2 : -1;
  if (args.given("resume")) {
    for (const char* flag : {"nets", "epochs", "batch-size", "seed", "data", "limit-train", "new"})
      if (args.given(flag))
        throw UsageError(std::string("--") + flag +
                         ": --resume trains the stored sweep's plan, with its networks, epochs, "
                         "batch size, seed and data");
    resume = static_cast<int64_t>(args.u64("resume"));
    if (root) require_store(args.str("store"), "resume");
    open_store();
    std::string definition = root ? store->load_sweep(resume).definition : std::string();
    tr.broadcast(definition);
    plan = SweepPlan::from_definition(definition);
  } else {
    plan.configs = args.given("grid") ? parse_sweep_grid(args.str("grid"))
                                      : parse_sweep_file(args.str("file"));
    plan.settings.nets = args.integer("nets", 1, 1000);
    plan.settings.epochs = args.integer("epochs", 1, 100000);
    plan.settings.batch_size = args.integer("batch-size", 1, kMaxBatchSize);
    plan.settings.seed = args.u64("seed");
    plan.settings.data = data_folder(args).name;
    plan.settings.limit_train = args.integer("limit-train", 0, 1 << 30);
  }
  const std::string dir = args.given("resume") ? stored_sweep_folder(plan.settings.data, resume)
                                               : dataset_folder(plan.settings.data);
  DatasetPair data = load_idx_folder(dir, plan.settings.data);
  const int limit = plan.settings.limit_train;
  if (limit > 0 && limit < data.train.count) data.train = data.train.head(limit);
  // A configuration that cannot run creates nothing; a new one's bad value is the flag's.
  try {
    check_sweep(plan, data.train, data.test);
    if (!args.given("resume")) check_parameters_used(plan);  // a stored sweep resumes as it was
  } catch (const SweepError& e) {
    if (args.given("resume")) throw;
    throw UsageError(std::string(args.given("grid") ? "--grid: " : "--file: ") + e.what());
  }
  const double rank_timeout_s = args.real("rank-timeout");  // nor does a flag out of its range
  if (!(rank_timeout_s >= 0)) throw UsageError("--rank-timeout: must be 0 or more seconds");
  BackendSelection sel = rank_backend(args, local_rank, local_size, tr.size() > 1);
  open_store();
  if (root && resume == -1) refuse_a_second_of_an_old_sweep(args, plan, *store);

  const InterruptGuard interrupt;
  SweepHooks hooks;
  hooks.cancel_requested = [&] { return interrupt.requested(); };
  hooks.planned = [&](const SweepRecord& sweep, const std::vector<SweepUnit>& units) {
    std::fprintf(stderr,
                 "sweep %lld in %s: %zu configurations x %d nets, %d finished; %zu unit(s) of "
                 "work over %d rank(s)\n",
                 static_cast<long long>(sweep.id), store->path().c_str(), sweep.configs.size(),
                 plan.settings.nets, sweep.finished(), units.size(), tr.size());
  };
  hooks.continued = [&](int config, int64_t run, int epochs, int position) {
    if (position > 0)
      std::fprintf(stderr, "config %d continues its run %lld in epoch %d after %d of its images\n",
                   config, static_cast<long long>(run), epochs + 1, position);
    else
      std::fprintf(stderr, "config %d continues its run %lld after epoch %d\n", config,
                   static_cast<long long>(run), epochs);
  };
  hooks.completed = [&](int config, int64_t run) {
    std::fprintf(stderr,
                 "config %d: its run %lld had recorded all of its %d epoch(s) before it "
                 "stopped; marked finished\n",
                 config, static_cast<long long>(run), plan.settings.epochs);
  };
  LearningWarnings warnings;
  hooks.epoch_recorded = [&](int config, int64_t run, const EpochMetrics& m, const EvalResult&) {
    const Spread s = spread(m.net_val_accuracy);
    std::printf("config %d (run %lld) epoch %d/%d: accuracy %.2f%% ± %.2f [%.2f%%, %.2f%%]  %s\n",
                config, static_cast<long long>(run), m.epoch, plan.settings.epochs, 100 * s.mean,
                100 * s.std, 100 * s.min, 100 * s.max, plan.configs[config].key().c_str());
    std::fflush(stdout);  // each epoch as it ends, through a pipe too
    warnings.epoch(m, config, "config " + std::to_string(config));
  };
  hooks.unit_failed = [&](const SweepUnit& u, const std::string& error) {
    std::fprintf(stderr, "configuration %d (networks %d-%d on rank %d) failed: %s\n", u.config,
                 u.first_net, u.first_net + u.nets - 1, u.rank, error.c_str());
  };
  SweepContext ctx{&data.train, &data.test, sel.backend.get(), &tr, CONVSCOPE_VERSION};
  ctx.rank_timeout_s = rank_timeout_s;
  ctx.save_every_s = save_every;
  const SweepOutcome out = run_sweep(store.get(), plan, resume, ctx, hooks);
  if (!root) {
    exit_mpi(-1);
    return 0;
  }
  if (out.cancelled) {
    std::fprintf(stderr,
                 "stopped: sweep %lld keeps its %d finished configuration(s) of %d; the others "
                 "are marked unfinished. Run the same command again (or --resume %lld) to train "
                 "them on from where they stopped.\n",
                 static_cast<long long>(out.sweep), out.finished, out.configs,
                 static_cast<long long>(out.sweep));
    exit_mpi(interrupt.exit_code());
    return interrupt.exit_code();
  }
  exit_mpi(-1);
  std::printf("\n");
  print_sweep(*store, store->load_sweep(out.sweep));
  if (out.finished < out.configs) {
    std::fprintf(stderr,
                 "%d configuration(s) did not finish; run the same command again to retry\n",
                 out.configs - out.finished);
    return 1;
  }
  return 0;
}

}  // namespace

int sweep_command(const std::vector<std::string>& argv) {
  Args args("sweep");
  args.set_summary(
      "Train one ensemble per configuration and compare their accuracy distributions. Under\n"
      "`mpirun -n K` the configurations (or, with fewer configurations than ranks, the networks\n"
      "of one) are shared among the ranks; rank 0 writes the store. Running the same command\n"
      "again resumes the sweep: finished configurations are skipped.");
  args.section("Sweep");
  args.option("grid", "SPEC", "",
              "'name=v1,v2; name=...' over arch, optimizer, lr, beta1, beta2, epsilon, momentum, "
              "rho, initial_accumulator, weight_decay, lr_schedule, batch_size, augment_shift, "
              "label_smoothing "
              "(every combination)");
  args.option("file", "FILE", "",
              "JSON: {\"grid\": {\"lr\": [0.001, 0.002]}} or {\"configs\": [{\"lr\": 0.001}]}");
  args.option("nets", "N", "10", "networks per configuration (seeds S, S+1, ...)");
  args.option("epochs", "N", "1", "passes over the training set");
  args.option("batch-size", "N", "64", "samples per step (unless a configuration sets it)");
  args.option("seed", "S", "1", "network i of every configuration starts from seed S+i");
  args.option("store", "FILE", default_store_path(), "the run store (SQLite)");
  args.option("resume", "ID", "", "continue sweep ID with its own stored settings");
  args.flag("new", "start a new sweep even if one with these settings exists");
  args.option("show", "ID", "", "print sweep ID (0: the newest) and exit");
  args.option("delete", "ID", "", "delete sweep ID and its configurations' runs, and exit");
  args.flag("keep-runs", "with --delete: keep the runs, as runs of no sweep");
  args.option("save-every", "S", std::to_string(kSaveEverySeconds),
              "seconds between saves of where a configuration stands inside an epoch, so that a "
              "sweep killed there continues from there (0: after every step)");
  args.option("rank-timeout", "S", "300",
              "under MPI: give up on a rank that sent nothing for S seconds (0: never)");
  add_data_options(args);
  add_backend_options(args);
  if (!args.parse(argv)) return 0;
  for (const char* plan : {"grid", "file", "resume"}) args.one_of({"show", "delete", plan});
  args.only_with("delete", {"keep-runs"});
  if (args.given("show")) return show(args);
  if (args.given("delete")) return delete_sweep(args);

  std::unique_ptr<SweepTransport> transport;
  int local_rank = 0, local_size = 1;
#if CONVSCOPE_HAVE_MPI
  std::unique_ptr<MpiTransport> mpi = MpiTransport::start();
  MpiTransport* const mpi_ptr = mpi.get();
  if (mpi) {
    local_rank = mpi->local_rank();
    local_size = mpi->local_size();
    mpi->abort_on_exit(1);  // until the sweep ends normally: no rank waits for a failed one
    transport = std::move(mpi);
  }
#else
  if (const char* size = std::getenv("OMPI_COMM_WORLD_SIZE"); size && std::atoi(size) > 1)
    throw UsageError("this convscope-cli was built without MPI (-DCONVSCOPE_MPI=OFF)");
#endif
  if (!transport) transport = std::make_unique<LocalTransport>();
  try {
    return sweep(args, *transport, local_rank, local_size, [&](int code) {
#if CONVSCOPE_HAVE_MPI
      if (mpi_ptr) mpi_ptr->abort_on_exit(code);
#else
      (void)code;
#endif
    });
  } catch (const std::exception& e) {
    // Under MPI the ranks end with MPI_Abort as this unwinds: say what failed first.
    if (transport->size() > 1)
      std::fprintf(stderr, "convscope-cli sweep (rank %d of %d): %s\n", transport->rank(),
                   transport->size(), describe(e).message.c_str());
    throw;
  }
}

}  // namespace cs::cli
