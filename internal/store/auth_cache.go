package store

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/criachat/criachat/internal/criachat"
)

// DefaultAuthCacheTTL is how long an Application API token's member row is
// reused before it is read again (CRIACHAT_AUTH_CACHE_TTL).
//
// Every request authenticates by token. On SQLite that read costs about a
// tenth of the server's CPU under write load (each commit empties the read
// connections' page caches); on PostgreSQL it is one round trip of the few a
// request makes. Writes of this process to users, access tokens, memberships
// or accounts flush the cache when they commit, so a revoked token, a removed
// agent, a changed role or a suspended account take effect at once here.
// Another process sharing the PostgreSQL database sees such a change after
// at most the TTL.
const DefaultAuthCacheTTL = 5 * time.Second

// memberCacheSize bounds the cache; when full it starts over.
const memberCacheSize = 4096

// memberCache remembers what MemberByTokenHash found. Callers get clones
// (criachat's Clone methods): objects and maps of their own, which they may
// change; cloning costs a fraction of decoding the JSON columns again.
//
// A row read while a write of the cached tables commits must not outlive
// that write: the generation is bumped after every such commit, and a row is
// stored only if the generation is still the one read before the query that
// produced it, so a row that may predate the write is never stored.
type memberCache struct {
	ttl atomic.Int64 // time.Duration; 0: off
	gen atomic.Uint64

	mu   sync.Mutex
	rows map[memberKey]cachedMember
}

type memberKey struct {
	hash      string
	accountID int64
}

type cachedMember struct {
	member
	expires time.Time
}

// member is what MemberByTokenHash returns.
type member struct {
	t *criachat.AccessToken
	u *criachat.User
	m *criachat.AccountUser // with its Account
}

func (m member) clone() member { return member{m.t.Clone(), m.u.Clone(), m.m.Clone()} }

func newMemberCache(ttl time.Duration) *memberCache {
	c := &memberCache{rows: map[memberKey]cachedMember{}}
	c.ttl.Store(int64(ttl))
	return c
}

// invalidate forgets every cached row. The generation moves first, so a
// put racing with it (see put) does not store what it read before.
func (c *memberCache) invalidate() {
	c.gen.Add(1)
	c.mu.Lock()
	clear(c.rows)
	c.mu.Unlock()
}

// get returns a clone of the cached member of k.
func (c *memberCache) get(k memberKey, now time.Time) (member, bool) {
	if c.ttl.Load() <= 0 {
		return member{}, false
	}
	c.mu.Lock()
	e, ok := c.rows[k]
	c.mu.Unlock()
	if !ok || !now.Before(e.expires) {
		return member{}, false
	}
	return e.clone(), true
}

// put stores a clone of a member read after gen was loaded, unless an
// invalidation came in between.
func (c *memberCache) put(k memberKey, m member, gen uint64, now time.Time) {
	ttl := time.Duration(c.ttl.Load())
	if ttl <= 0 {
		return
	}
	e := cachedMember{member: m.clone(), expires: now.Add(ttl)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen.Load() {
		return
	}
	if len(c.rows) >= memberCacheSize {
		clear(c.rows)
	}
	c.rows[k] = e
}

// SetAuthCacheTTL changes how long member rows are cached; 0 turns the cache
// off.
func (s *Store) SetAuthCacheTTL(ttl time.Duration) {
	s.members.ttl.Store(int64(ttl))
	s.members.invalidate()
}

// MemberByTokenHash is Queries.MemberByTokenHash on the read pool, cached
// (see DefaultAuthCacheTTL); misses are not cached.
func (s *Store) MemberByTokenHash(ctx context.Context, hash string, accountID int64) (*criachat.AccessToken, *criachat.User, *criachat.AccountUser, error) {
	k := memberKey{hash: hash, accountID: accountID}
	now := time.Now()
	if m, ok := s.members.get(k, now); ok {
		return m.t, m.u, m.m, nil
	}
	gen := s.members.gen.Load()
	t, u, m, err := s.Read().MemberByTokenHash(ctx, hash, accountID)
	if err != nil {
		return nil, nil, nil, err
	}
	s.members.put(k, member{t, u, m}, gen, now)
	return t, u, m, nil
}

// authChanged marks a write to users, access_tokens, account_users or
// accounts (other than their sequence counters): cached members are
// forgotten when it commits (TestAuthWritesInvalidateMemberCache finds
// every such statement and checks that its function calls this).
func (q *Queries) authChanged() {
	if q.effects != nil {
		q.effects.auth = true
	} else if q.members != nil {
		q.members.invalidate()
	}
}

// enqueuedDeliveries marks a write of webhook deliveries.
func (q *Queries) enqueuedDeliveries() {
	if q.effects != nil {
		q.effects.deliveries = true
	}
}
