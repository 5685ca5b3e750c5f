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

// memberCache remembers the scanned rows of MemberByTokenHash. It keeps rows,
// not the objects built from them, so every caller gets objects (and maps)
// of its own.
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
	row     memberRow
	expires time.Time
}

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

func (c *memberCache) get(k memberKey, now time.Time) (memberRow, bool) {
	if c.ttl.Load() <= 0 {
		return memberRow{}, false
	}
	c.mu.Lock()
	e, ok := c.rows[k]
	c.mu.Unlock()
	if !ok || !now.Before(e.expires) {
		return memberRow{}, false
	}
	return e.row, true
}

// put stores a row read after gen was loaded, unless an invalidation came
// in between.
func (c *memberCache) put(k memberKey, row memberRow, gen uint64, now time.Time) {
	ttl := time.Duration(c.ttl.Load())
	if ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen.Load() {
		return
	}
	if len(c.rows) >= memberCacheSize {
		clear(c.rows)
	}
	c.rows[k] = cachedMember{row: row, expires: now.Add(ttl)}
}

// SetAuthCacheTTL changes how long member rows are cached; 0 turns the cache
// off.
func (s *Store) SetAuthCacheTTL(ttl time.Duration) {
	s.members.ttl.Store(int64(ttl))
	s.members.invalidate()
}

// MemberByTokenHash returns the user owning a user access token together
// with their membership (and its account) of accountID: the path of every
// Application API request. ENOTFOUND when the token is not a user's or the
// user is not a member; callers then tell those cases apart. Found rows are
// cached (see DefaultAuthCacheTTL); misses are not.
func (s *Store) MemberByTokenHash(ctx context.Context, hash string, accountID int64) (*criachat.AccessToken, *criachat.User, *criachat.AccountUser, error) {
	k := memberKey{hash: hash, accountID: accountID}
	now := time.Now()
	row, ok := s.members.get(k, now)
	if !ok {
		gen := s.members.gen.Load()
		var err error
		if row, err = s.Read().memberRow(ctx, hash, accountID); err != nil {
			return nil, nil, nil, err
		}
		s.members.put(k, row, gen, now)
	}
	t, u, m := row.build()
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
