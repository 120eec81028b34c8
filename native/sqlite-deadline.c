/*
 * sqlite-deadline: a time budget for each statement of an SQLite connection, for better-sqlite3, whose build omits
 * the progress handler (SQLITE_OMIT_PROGRESS_CALLBACK) and which exposes no sqlite3_interrupt.
 *
 * Loaded into a connection, it marks a statement as running when it starts (SQLITE_TRACE_STMT) and as done when it
 * finishes or is reset (SQLITE_TRACE_PROFILE); that costs the statement's thread a mutex and no system call. The
 * budget is CPU time of the thread running the statement, not wall-clock time: on a busy machine a thread may wait
 * for a core for milliseconds, and a quick query must not count that. One watchdog thread per process wakes once a
 * budget while statements run: it reads the CPU clock of the thread running each one, from the first tick that saw
 * the statement, and calls sqlite3_interrupt() on a connection whose statement has spent the budget since, so the
 * statement fails with SQLITE_INTERRUPT at its next check. A statement is thus stopped after one to two budgets of
 * CPU time. After PARK_AFTER_IDLE_TICKS ticks with nothing running the watchdog sleeps until a statement starts.
 * A statement that ends just as it is interrupted may pass the interrupt on to the next one on its connection;
 * callers treat SQLITE_INTERRUPT as "run it elsewhere", so that costs a detour, not a wrong answer. The budget is
 * set once per connection, by the first call of sqlrepair_deadline_budget(microseconds) > 0; later calls change
 * nothing, so SQL run on the connection afterwards cannot lift it.
 *
 * It also lowers two limits on work done inside one step of the virtual machine, where no interrupt reaches: the
 * largest string or blob (randomblob(1e9) is one allocation and one fill, and instr() or replace() compare two
 * strings in time quadratic in their lengths: 16 KB keeps that to milliseconds) and the longest LIKE/GLOB pattern.
 * A statement past them fails (SQLITE_TOOBIG, "pattern too complex"); the caller runs it elsewhere.
 */
#define _GNU_SOURCE /* dladdr */
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT1
#include <dlfcn.h>
#include <pthread.h>
#include <time.h>

#define MAX_LENGTH_BYTES (16 * 1024)
#define MAX_LIKE_PATTERN_BYTES 256

#define PARK_AFTER_IDLE_TICKS 100

typedef struct Deadline Deadline;
struct Deadline {
  sqlite3 *db;
  long long budgetNs;          /* 0 until set */
  clockid_t cpuClock;          /* of the thread running the statement */
  unsigned long statement;     /* counts the statements started */
  int isRunning;
  unsigned long seenStatement; /* the statement the watchdog last saw running, */
  long long seenCpuNs;         /* and its thread's CPU time then */
  int isSeen;
  Deadline *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake;
static pthread_once_t startOnce = PTHREAD_ONCE_INIT;
static int isStarted = 0;
static int isParked = 0;
static Deadline *head = 0;

static long long readNs(clockid_t clock) {
  struct timespec ts;
  if (clock_gettime(clock, &ts) != 0) return -1;
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One tick, under the mutex: interrupts statements past their budget; returns the shortest budget of those running. */
static long long check(void) {
  long long tickNs = 0;
  for (Deadline *d = head; d != 0; d = d->next) {
    if (!d->isRunning || d->budgetNs == 0) {
      d->isSeen = 0;
      continue;
    }
    if (tickNs == 0 || d->budgetNs < tickNs) tickNs = d->budgetNs;
    long long cpu = readNs(d->cpuClock);
    if (!d->isSeen || d->seenStatement != d->statement) {
      d->isSeen = 1;
      d->seenStatement = d->statement;
      d->seenCpuNs = cpu;
    } else if (cpu < 0 || cpu - d->seenCpuNs >= d->budgetNs) {
      /* Under the mutex: the connection cannot be closed (unlinked in release) while this runs. */
      sqlite3_interrupt(d->db);
      d->isRunning = 0;
      d->isSeen = 0;
    }
  }
  return tickNs;
}

static void *watch(void *unused) {
  (void)unused;
  long long tickNs = 1000000;
  int idleTicks = 0;
  pthread_mutex_lock(&mu);
  for (;;) {
    long long runningTickNs = check();
    if (runningTickNs > 0) {
      tickNs = runningTickNs;
      idleTicks = 0;
    } else if (++idleTicks >= PARK_AFTER_IDLE_TICKS) {
      isParked = 1;
      pthread_cond_wait(&wake, &mu);
      isParked = 0;
      idleTicks = 0;
      continue;
    }
    long long until = readNs(CLOCK_MONOTONIC) + tickNs;
    struct timespec at = { (time_t)(until / 1000000000LL), (long)(until % 1000000000LL) };
    pthread_cond_timedwait(&wake, &mu, &at);
  }
  return 0;
}

/*
 * SQLite dlcloses an extension with the last connection that loaded it; the watchdog thread runs on, and would find
 * its code unmapped. A second reference with RTLD_NODELETE keeps the library loaded until the process ends.
 */
static int pin(void) {
  Dl_info self;
  if (dladdr((void *)&pin, &self) == 0 || self.dli_fname == 0) return 0;
  return dlopen(self.dli_fname, RTLD_NOW | RTLD_NODELETE) != 0;
}

static void start(void) {
  if (!pin()) return;
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&wake, &attr);
  pthread_condattr_destroy(&attr);
  pthread_t thread;
  if (pthread_create(&thread, 0, watch, 0) == 0) {
    pthread_detach(thread);
    isStarted = 1;
  }
}

static int onTrace(unsigned type, void *ctx, void *p, void *x) {
  (void)p;
  (void)x;
  Deadline *d = (Deadline *)ctx;
  if (d->budgetNs == 0) return 0;
  pthread_mutex_lock(&mu);
  if (type == SQLITE_TRACE_STMT) {
    if (pthread_getcpuclockid(pthread_self(), &d->cpuClock) != 0) d->cpuClock = CLOCK_MONOTONIC;
    d->statement += 1;
    d->isRunning = 1;
    if (isParked) pthread_cond_signal(&wake);
  } else {
    d->isRunning = 0;
  }
  pthread_mutex_unlock(&mu);
  return 0;
}

static void setBudget(sqlite3_context *context, int argc, sqlite3_value **argv) {
  (void)argc;
  Deadline *d = (Deadline *)sqlite3_user_data(context);
  sqlite3_int64 us = sqlite3_value_int64(argv[0]);
  if (d->budgetNs != 0 || us <= 0) {
    sqlite3_result_int64(context, d->budgetNs / 1000);
    return;
  }
  pthread_mutex_lock(&mu);
  d->budgetNs = us * 1000;
  pthread_mutex_unlock(&mu);
  sqlite3_result_int64(context, us);
}

/* The function's destructor, run when the connection closes: after it the watchdog never touches the connection. */
static void release(void *ctx) {
  Deadline *d = (Deadline *)ctx;
  pthread_mutex_lock(&mu);
  for (Deadline **link = &head; *link != 0; link = &(*link)->next) {
    if (*link == d) {
      *link = d->next;
      break;
    }
  }
  pthread_mutex_unlock(&mu);
  sqlite3_free(d);
}

int sqlite3_sqlitedeadline_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi) {
  SQLITE_EXTENSION_INIT2(pApi);
  pthread_once(&startOnce, start);
  if (!isStarted) {
    *pzErrMsg = sqlite3_mprintf("sqlite-deadline: cannot start its watchdog thread");
    return SQLITE_ERROR;
  }
  Deadline *d = (Deadline *)sqlite3_malloc(sizeof(Deadline));
  if (d == 0) return SQLITE_NOMEM;
  d->db = db;
  d->budgetNs = 0;
  d->cpuClock = CLOCK_MONOTONIC;
  d->statement = 0;
  d->isRunning = 0;
  d->seenStatement = 0;
  d->seenCpuNs = 0;
  d->isSeen = 0;
  int rc = sqlite3_create_function_v2(db, "sqlrepair_deadline_budget", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY, d, setBudget, 0, 0, release);
  if (rc != SQLITE_OK) return rc; /* SQLite has run release(d) already. */
  sqlite3_limit(db, SQLITE_LIMIT_LENGTH, MAX_LENGTH_BYTES);
  sqlite3_limit(db, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, MAX_LIKE_PATTERN_BYTES);
  pthread_mutex_lock(&mu);
  d->next = head;
  head = d;
  pthread_mutex_unlock(&mu);
  return sqlite3_trace_v2(db, SQLITE_TRACE_STMT | SQLITE_TRACE_PROFILE, onTrace, d);
}
