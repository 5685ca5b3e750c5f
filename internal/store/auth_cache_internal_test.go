package store

import (
	"testing"
	"time"

	"github.com/criachat/criachat/internal/criachat"
)

// TestMemberCacheGenerations: a row read before an invalidation is not
// stored after it, rows expire after the TTL, and a TTL of 0 caches nothing.
func TestMemberCacheGenerations(t *testing.T) {
	c := newMemberCache(time.Second)
	k := memberKey{hash: "h", accountID: 1}
	now := time.Now()
	row := member{&criachat.AccessToken{}, &criachat.User{Name: "ann"}, &criachat.AccountUser{}}

	gen := c.gen.Load()
	c.invalidate() // a write committed while the row was being read
	c.put(k, row, gen, now)
	if _, ok := c.get(k, now); ok {
		t.Fatal("a row read before an invalidation was stored")
	}

	c.put(k, row, c.gen.Load(), now)
	if got, ok := c.get(k, now.Add(999*time.Millisecond)); !ok || got.u.Name != "ann" || got.u == row.u {
		t.Fatalf("get within the TTL = %v, %v", got, ok)
	}
	if _, ok := c.get(k, now.Add(time.Second)); ok {
		t.Fatal("a row was served after its TTL")
	}
	c.invalidate()
	if _, ok := c.get(k, now); ok {
		t.Fatal("a row was served after an invalidation")
	}

	c.ttl.Store(0)
	c.put(k, row, c.gen.Load(), now)
	if _, ok := c.get(k, now); ok {
		t.Fatal("a TTL of 0 cached a row")
	}

	c.ttl.Store(int64(time.Second))
	for i := range memberCacheSize + 1 {
		c.put(memberKey{hash: "h", accountID: int64(i)}, row, c.gen.Load(), now)
	}
	if n := len(c.rows); n > memberCacheSize {
		t.Fatalf("cache holds %d rows, bound %d", n, memberCacheSize)
	}
}
