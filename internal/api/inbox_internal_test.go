package api

import (
	"encoding/json"
	"testing"

	"github.com/criachat/criachat/internal/criachat"
)

// TestPresentInboxSlim: the slim inbox of §3.3 (_inbox_slim.json.jbuilder),
// which contacts embed, has exactly these keys in this order and no secrets.
func TestPresentInboxSlim(t *testing.T) {
	in := criachat.NewInbox(7, criachat.ChannelAPI)
	in.ID, in.Name, in.HMACTokenSealed, in.SecretSealed = 42, "Support", "sealed-h", "sealed-s"
	got, err := json.Marshal(presentInboxSlim(in))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":42,"avatar_url":"","channel_id":42,"name":"Support","channel_type":"Channel::Api","provider":null}`
	if string(got) != want {
		t.Fatalf("slim inbox = %s, want %s", got, want)
	}
}

// TestOrderedJSON keeps insertion order and encodes values as encoding/json does.
func TestOrderedJSON(t *testing.T) {
	got, err := json.Marshal(orderedJSON{{"z", 1}, {"a", nil}, {"m", []string{"x"}}, {"q", "<b>"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"z":1,"a":null,"m":["x"],"q":"\u003cb\u003e"}`; string(got) != want {
		t.Fatalf("orderedJSON = %s, want %s", got, want)
	}
}
