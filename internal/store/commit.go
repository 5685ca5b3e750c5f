package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/criachat/criachat/internal/criachat"
)

// groupCommitter runs the write transactions of a SQLite store in batches:
// one BEGIN … COMMIT holds several callers' work, each inside its own
// savepoint, so a failing caller rolls back only its own changes while the
// commit (the expensive WAL write) is shared. Callers still see ordinary
// transaction semantics: Store.Tx returns after its work is committed, or
// with its own error and none of its changes.
//
// PostgreSQL runs transactions in parallel and does not use it.
type groupCommitter struct {
	s    *Store
	reqs chan *txRequest
	stop chan struct{}
	done sync.WaitGroup
	// committed has a value when commits happened since the last checkpoint.
	committed chan struct{}
	// restartWAL asks the writer to finish a checkpoint itself (see checkpoints).
	restartWAL atomic.Bool
	// checkpointing is held while a checkpoint runs: the writer never waits
	// on SQLite's checkpoint lock (its busy handler sleeps for up to 100 ms).
	checkpointing sync.Mutex
}

// maxBatch bounds how many callers share one commit, so one batch's latency stays small.
const maxBatch = 64

type txRequest struct {
	ctx    context.Context
	fn     func(q *Queries) error
	result chan txResult
	// render carries the caller's share of its batch's work that needs no
	// connection (rendering its event payloads): the caller's goroutine,
	// idle until its commit, runs it while the writer goes on.
	render chan func()
}

type txResult struct {
	err   error
	panic any
}

func newGroupCommitter(s *Store) *groupCommitter {
	g := &groupCommitter{s: s, reqs: make(chan *txRequest), stop: make(chan struct{}), committed: make(chan struct{}, 1)}
	g.done.Add(2)
	go g.loop()
	go g.checkpoints()
	return g
}

// checkpointPause is the least time between two checkpoints: the WAL then
// holds at most what the writer adds in this time (a few MB at full speed).
const checkpointPause = 50 * time.Millisecond

// walRestartFrames is the WAL length (in pages, 16 MB) at which the writer
// restarts it from the beginning. Each restart costs the writer two fsyncs
// (5–15 ms here), so it is rarer than SQLite's default autocheckpoint (1000).
const walRestartFrames = 4096

// checkpoints copies committed WAL frames into the database file on a read
// connection, off the writer: the writer connection has wal_autocheckpoint
// off, so its commits only append to the WAL. A PASSIVE checkpoint never
// blocks the writer or readers. SQLite writes the WAL from its beginning again
// only when a write transaction starts with every frame copied, which the
// frames committed during this checkpoint prevent; so once the WAL is long,
// the writer copies those last few frames itself between two batches
// (restartWAL), and its next transaction restarts the WAL.
func (g *groupCommitter) checkpoints() {
	defer g.done.Done()
	pause := time.NewTimer(0)
	defer pause.Stop()
	for {
		select {
		case <-g.stop:
			return
		case <-g.committed:
		}
		var busy, frames, copied int
		g.checkpointing.Lock()
		err := g.s.read.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
		g.checkpointing.Unlock()
		if err != nil {
			slog.Warn("sqlite checkpoint", "err", err)
		} else if frames >= walRestartFrames {
			g.restartWAL.Store(true)
		}
		if err != nil || copied < frames {
			// Readers held some frames back: try again after the pause even
			// if nothing commits (readers search the frames not copied).
			g.signalCommitted()
		}
		pause.Reset(checkpointPause)
		select {
		case <-g.stop:
			return
		case <-pause.C:
		}
	}
}

// signalCommitted wakes the checkpointer (without blocking).
func (g *groupCommitter) signalCommitted() {
	select {
	case g.committed <- struct{}{}:
	default:
	}
}

// finishCheckpoint runs on the writer between batches when restartWAL asks
// and no other checkpoint runs (else it tries again after the next batch).
func (g *groupCommitter) finishCheckpoint() {
	if !g.restartWAL.Load() || !g.checkpointing.TryLock() {
		return
	}
	defer g.checkpointing.Unlock()
	g.restartWAL.Store(false)
	if _, err := g.s.write.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
		slog.Warn("sqlite checkpoint", "err", err)
	}
}

// close stops the loop after the batch in flight.
func (g *groupCommitter) close() {
	close(g.stop)
	g.done.Wait()
}

// run hands fn to the loop and waits for its outcome.
func (g *groupCommitter) run(ctx context.Context, fn func(q *Queries) error) error {
	req := &txRequest{ctx: ctx, fn: fn, result: make(chan txResult, 1), render: make(chan func(), 1)}
	select {
	case g.reqs <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-g.stop:
		return fmt.Errorf("store closed")
	}
	for {
		select {
		case job := <-req.render:
			job()
		case res := <-req.result:
			if res.panic != nil {
				panic(res.panic)
			}
			return res.err
		}
	}
}

// Under concurrent load, a batch smaller than lingerMin waits up to
// lingerFor for more callers before it starts: part of a commit's cost is
// the same for one caller or many (the WAL frames of the pages they share,
// indexing, BEGIN and COMMIT), and callers arrive in bursts as the previous
// batch's results go out. Measured with 16 clients on two cores: +10–20 %
// messages per second. A lone caller (the last batch had one) never waits.
const (
	lingerMin = 6
	lingerFor = 300 * time.Microsecond
)

func (g *groupCommitter) loop() {
	defer g.done.Done()
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	last := 0
	for {
		var batch []*txRequest
		select {
		case <-g.stop:
			return
		case r := <-g.reqs:
			batch = append(batch, r)
		}
	gather:
		for len(batch) < maxBatch {
			select {
			case r := <-g.reqs:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		if last > 1 && len(batch) < lingerMin {
			linger.Reset(lingerFor)
		wait:
			for len(batch) < lingerMin {
				select {
				case r := <-g.reqs:
					batch = append(batch, r)
				case <-linger.C:
					break wait
				}
			}
			linger.Stop()
		}
		last = len(batch)
		g.commit(batch)
		g.finishCheckpoint()
	}
}

// commit runs one batch in one transaction.
func (g *groupCommitter) commit(batch []*txRequest) {
	results := make([]txResult, len(batch))
	tx, err := g.s.write.BeginTx(context.Background(), nil)
	if err != nil {
		for _, r := range batch {
			r.result <- txResult{err: g.s.d.translate(fmt.Errorf("begin: %w", err))}
		}
		return
	}
	var effects txEffects
	queue := &eventQueue{}
	var renders payloadRenders
	for i, r := range batch {
		queued := len(queue.items)
		results[i] = g.runOne(tx, r, &effects, queue)
		renders.hand(r, queue.items[queued:]) // nothing when the caller failed
	}
	err = renders.wait()
	if err == nil {
		err = g.finishBatch(tx, queue, &effects)
	}
	if err == nil {
		err = tx.Commit()
	} else {
		_ = tx.Rollback()
	}
	if err != nil {
		effects.deliveries = false
		err = g.s.d.translate(fmt.Errorf("commit: %w", err))
		for i := range results {
			if results[i].err == nil && results[i].panic == nil {
				results[i].err = err
			}
		}
	}
	g.signalCommitted()
	// A caller that rolled back to its savepoint may have set effects: at
	// worst a spurious wake-up or cache flush.
	g.s.committed(effects)
	for i, r := range batch {
		r.result <- results[i]
	}
}

// payloadRenders hands the event payloads a batch's callers left to render
// (Event.Body, for changes that are final) to the callers' own goroutines:
// the writer is the serial part of every write, and JSON rendering was about
// a tenth of its time per message. A job whose goroutine has not started it
// when the writer needs the payloads (it waited for a CPU: 9 % of the
// writer's time went to waiting for them) is run by the writer itself.
type payloadRenders struct {
	jobs []*renderJob
	wg   sync.WaitGroup
	mu   sync.Mutex
	err  error
}

// renderJob is one caller's payloads; whoever claims it first renders them.
type renderJob struct {
	claimed atomic.Bool
	events  []*criachat.Event
}

// hand gives r's goroutine the payloads to render among items.
func (p *payloadRenders) hand(r *txRequest, items []queuedEvents) {
	var events []*criachat.Event
	for _, it := range items {
		for _, e := range it.events {
			if e.Body != nil {
				events = append(events, e)
			}
		}
	}
	if len(events) == 0 {
		return
	}
	job := &renderJob{events: events}
	p.jobs = append(p.jobs, job)
	p.wg.Add(1)
	r.render <- func() { p.run(job) } // never blocks: one job per request, buffered
}

// run renders job's payloads unless someone else claimed them.
func (p *payloadRenders) run(job *renderJob) {
	if !job.claimed.CompareAndSwap(false, true) {
		return
	}
	defer p.wg.Done()
	defer func() {
		if v := recover(); v != nil {
			p.fail(fmt.Errorf("render event payload: panic: %v", v))
		}
	}()
	if err := renderPayloads(job.events); err != nil {
		p.fail(err)
	}
}

func (p *payloadRenders) fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err == nil {
		p.err = err
	}
}

// wait renders the jobs no goroutine has started and returns once every
// payload is rendered. An error fails the whole batch: the callers'
// savepoints are released, so their events cannot be dropped alone.
func (p *payloadRenders) wait() error {
	for _, job := range p.jobs {
		p.run(job)
	}
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// finishBatch writes what the batch's callers queued, outside their
// savepoints: their events (eventQueue), and the new messages in the
// full-text index (migration 0010; FTS5 writes a segment at every
// savepoint, so indexing inside them cost one segment per message).
func (g *groupCommitter) finishBatch(tx *sql.Tx, queue *eventQueue, effects *txEffects) error {
	q := g.s.txQueries(tx, effects, nil)
	ctx := context.Background()
	if err := q.writeQueuedEvents(ctx, queue); err != nil {
		return fmt.Errorf("write events: %w", err)
	}
	// CROSS JOIN keeps the queue as the outer loop: statistics gathered while
	// the queue was empty would have the planner scan messages instead.
	if _, err := q.exec(ctx, `INSERT INTO messages_fts (rowid, content)
		SELECT m.id, m.content FROM messages_fts_pending p CROSS JOIN messages m ON m.id = p.message_id`); err != nil {
		return fmt.Errorf("index messages: %w", err)
	}
	if _, err := q.exec(ctx, `DELETE FROM messages_fts_pending`); err != nil {
		return fmt.Errorf("index messages: %w", err)
	}
	return nil
}

// runOne runs one caller's work inside a savepoint of tx.
func (g *groupCommitter) runOne(tx *sql.Tx, r *txRequest, effects *txEffects, queue *eventQueue) (res txResult) {
	if err := r.ctx.Err(); err != nil {
		return txResult{err: err}
	}
	queued := len(queue.items)
	if _, err := tx.Exec("SAVEPOINT work"); err != nil {
		return txResult{err: err}
	}
	defer func() {
		if p := recover(); p != nil {
			res = txResult{panic: p}
		}
		if res.err != nil || res.panic != nil {
			// Undo this caller's changes only; the batch goes on.
			tx.Exec("ROLLBACK TO work")
			queue.items = queue.items[:queued]
		}
		tx.Exec("RELEASE work")
	}()
	q := g.s.txQueries(tx, effects, queue)
	q.uncancelable = true
	return txResult{err: r.fn(q)}
}
