package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/criachat/criachat/internal/account"
	"github.com/criachat/criachat/internal/api"
	"github.com/criachat/criachat/internal/secret"
	"github.com/criachat/criachat/internal/store/storetest"
)

// BenchmarkProfile measures GET /api/v1/profile with token auth through the
// whole router on SQLite, in process (no network). The loopback number with a
// real client is in the README's performance section.
func BenchmarkProfile(b *testing.B) {
	st := storetest.Open(b, "sqlite")
	k, _ := secret.NewKeeper(strings.Repeat("s", 32))
	accts := account.NewService(st, k)
	res, err := accts.Setup(context.Background(), account.SetupParams{AccountName: "A", Name: "Ann", Email: "ann@a.io", Password: "password123"})
	if err != nil {
		b.Fatal(err)
	}
	srv := api.New(api.Options{Store: st, Accounts: accts})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("GET", "/api/v1/profile", nil)
			req.Header.Set("api_access_token", res.AccessToken)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d", rec.Code)
			}
		}
	})
}
