// The thread pool behind parallel_for and the public thread settings (actfn/ops.hpp).
#include "parallel.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "actfn/ops.hpp"

namespace actfn {
namespace {

constexpr std::size_t kDefaultThreshold = 262144;  // 1 MiB of floats: ~50 µs of work at roofline

std::atomic<unsigned> g_threads{0};  // 0: the hardware's count
std::atomic<std::size_t> g_threshold{kDefaultThreshold};

/// Read once: glibc answers hardware_concurrency() by reading /sys, which costs microseconds.
unsigned hardware_threads() {
  static const unsigned n = std::max(1u, std::thread::hardware_concurrency());
  return n;
}

/// Persistent workers that take numbered slices of one job at a time. One caller at a time owns
/// the pool; the caller works on slices too, so k slices need k - 1 workers.
class Pool {
 public:
  Pool() = default;
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  ~Pool() { stop_workers(); }

  /// Runs job(0), ..., job(slices - 1) and returns true; false, running nothing, when another
  /// caller holds the pool.
  bool try_run(std::size_t slices, const std::function<void(std::size_t)>& job) {
    const std::unique_lock<std::mutex> owner(caller_, std::try_to_lock);
    if (!owner.owns_lock()) return false;
    while (workers_.size() + 1 < slices) workers_.emplace_back([this] { worker_loop(); });
    {
      const std::lock_guard<std::mutex> lock(m_);
      job_ = &job;
      slices_ = slices;
      next_ = 0;
      pending_ = slices;
      ++generation_;
    }
    wake_.notify_all();
    take_slices();
    std::unique_lock<std::mutex> lock(m_);
    done_.wait(lock, [this] { return pending_ == 0; });
    job_ = nullptr;
    return true;
  }

  /// Ends every worker (the next job starts as many as it needs).
  void stop_workers() {
    const std::lock_guard<std::mutex> owner(caller_);
    {
      const std::lock_guard<std::mutex> lock(m_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
    workers_.clear();
    stop_ = false;
  }

 private:
  void take_slices() {
    for (;;) {
      std::size_t slice = 0;
      {
        const std::lock_guard<std::mutex> lock(m_);
        if (next_ >= slices_) return;
        slice = next_++;
      }
      (*job_)(slice);
      const std::lock_guard<std::mutex> lock(m_);
      if (--pending_ == 0) done_.notify_one();
    }
  }

  void worker_loop() {
    std::uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(m_);
    for (;;) {
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      lock.unlock();
      take_slices();  // a worker waking after the job is done finds no slice left
      lock.lock();
    }
  }

  std::mutex caller_;  // held for a whole job by its caller
  std::mutex m_;       // guards everything below
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  const std::function<void(std::size_t)>* job_ = nullptr;
  std::size_t slices_ = 0, next_ = 0, pending_ = 0;
  std::uint64_t generation_ = 0;
  bool stop_ = false;
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

void set_threads(unsigned n) {
  g_threads = n;
  pool().stop_workers();
}
unsigned threads() {
  const unsigned n = g_threads;
  return n == 0 ? hardware_threads() : n;
}
void set_parallel_threshold(std::size_t n) { g_threshold = n == 0 ? kDefaultThreshold : n; }
std::size_t parallel_threshold() { return g_threshold; }

namespace ops {

std::size_t max_slices() { return threads(); }

std::size_t slices_for(std::size_t n, std::size_t grain, std::size_t cost) {
  const std::size_t work = n * cost;
  if (work < parallel_threshold()) return 1;
  return std::max<std::size_t>(1, std::min<std::size_t>({threads(), n / grain, work / 4096}));
}

void run_slices(std::size_t slices, std::size_t n, std::size_t grain, const SliceBody& body) {
  // Equal slices rounded up to whole grains; the last one takes what is left.
  const std::size_t per = (n / slices + grain - 1) / grain * grain;
  const std::function<void(std::size_t)> job = [&](std::size_t s) {
    const std::size_t begin = std::min(n, s * per), end = s + 1 == slices ? n : std::min(n, begin + per);
    if (begin < end) body(s, begin, end);
  };
  if (!pool().try_run(slices, job)) body(0, 0, n);
}

}  // namespace ops
}  // namespace actfn
