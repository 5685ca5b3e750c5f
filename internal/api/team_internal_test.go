package api

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/criachat/criachat/internal/criachat"
)

// TestPresentTeamRecord: the raw-record team (what `render json: team` gives,
// reference §3.5 assignments and §7) has the columns in order and ISO times.
func TestPresentTeamRecord(t *testing.T) {
	at := time.Date(2026, 6, 17, 12, 37, 48, 123456000, time.UTC)
	desc := "Deals"
	got, err := json.Marshal(presentTeamRecord(&criachat.Team{ID: 3, AccountID: 1, Name: "sales", Description: &desc,
		AllowAutoAssign: true, CreatedAt: at, UpdatedAt: at.Add(time.Second)}))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":3,"name":"sales","description":"Deals","allow_auto_assign":true,"account_id":1,` +
		`"created_at":"2026-06-17T12:37:48.123Z","updated_at":"2026-06-17T12:37:49.123Z"}`
	if string(got) != want {
		t.Fatalf("presentTeamRecord = %s, want %s", got, want)
	}
	got, _ = json.Marshal(presentTeam(&criachat.Team{ID: 3, AccountID: 1, Name: "sales"}, true))
	if want := `{"id":3,"name":"sales","description":null,"allow_auto_assign":false,"account_id":1,"is_member":true}`; string(got) != want {
		t.Fatalf("presentTeam = %s, want %s", got, want)
	}
}
