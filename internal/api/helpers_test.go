package api_test

import (
	"context"
	"strconv"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// addAgent adds a member to the tenant's account through the API and returns
// their access token.
func (e *env) addAgent(a tenant, email, role string) string {
	e.t.Helper()
	res := e.do("POST", "/api/v1/accounts/"+itoa(a.AccountID)+"/agents", a.Token,
		map[string]any{"agent": map[string]any{"name": email, "email": email, "role": role}})
	if res.Status != 200 {
		e.t.Fatalf("add agent: %d %s", res.Status, res.Raw)
	}
	token, err := e.accounts.TokenOf(context.Background(), criachat.OwnerUser, res.num("id"))
	if err != nil {
		e.t.Fatal(err)
	}
	return token
}

// suspend marks an account suspended directly in the store.
func (e *env) suspend(accountID int64) {
	e.t.Helper()
	ctx := context.Background()
	err := e.store.Tx(ctx, func(q *store.Queries) error {
		a, err := q.Account(ctx, accountID)
		if err != nil {
			return err
		}
		a.Status = criachat.AccountSuspended
		return q.UpdateAccount(ctx, a)
	})
	if err != nil {
		e.t.Fatal(err)
	}
}
