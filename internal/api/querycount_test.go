package api_test

import (
	"fmt"
	"testing"
)

// statementsFor sends a read-only request twice and returns the second
// response and how many statements the store ran for it. The first warms the
// caches (the token's member row, which any write to memberships empties),
// so that counts taken before and after adding rows compare like with like.
func (e *env) statementsFor(method, path, token string, body any) (response, int64) {
	e.t.Helper()
	e.do(method, path, token, body)
	before := e.store.QueryCount()
	res := e.do(method, path, token, body)
	return res, e.store.QueryCount() - before
}

// queriesFor counts the statements a successful GET runs.
func (e *env) queriesFor(method, path, token string) int64 {
	e.t.Helper()
	res, n := e.statementsFor(method, path, token, nil)
	if res.Status != 200 {
		e.t.Fatalf("%s %s = %d %s", method, path, res.Status, res.Raw)
	}
	return n
}

// assertConstantQueries checks that a list endpoint's query count does not
// grow with the number of rows it returns: grow adds rows between two counts.
func (e *env) assertConstantQueries(t *testing.T, path, token string, grow func(i int)) {
	t.Helper()
	small := e.queriesFor("GET", path, token)
	for i := 0; i < 10; i++ {
		grow(i)
	}
	if large := e.queriesFor("GET", path, token); large != small {
		t.Fatalf("GET %s ran %d queries with few rows and %d with 10 more: a query per row", path, small, large)
	}
}

func TestAgentListQueriesDoNotGrow(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		e.assertConstantQueries(t, "/api/v1/accounts/"+itoa(a.AccountID)+"/agents", a.Token, func(i int) {
			e.addAgent(a, fmt.Sprintf("agent%d@acme.io", i), "agent")
		})
	})
}
