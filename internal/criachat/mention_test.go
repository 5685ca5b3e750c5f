package criachat

import (
	"fmt"
	"testing"
)

func TestParseMentions(t *testing.T) {
	for _, tc := range []struct {
		content      string
		users, teams string
	}{
		{"[@Ann Lee](mention://user/7/Ann%20Lee) please look", "[7]", "[]"},
		{"[@Bo](mention://user/9/Bo) and [@Ann](mention://user/7/Ann), again [@Bo](mention://user/9/Bo)", "[9 7]", "[]"},
		{"[@Billing](mention://team/2/Billing) and [@Ann](mention://user/2/Ann)", "[2]", "[2]"},
		// The link text is not needed; the name is, and it ends at the first ")".
		{"(mention://user/5/x)", "[5]", "[]"},
		{"(mention://user/5/)", "[]", "[]"},
		{"(mention://user/5/na\nme)", "[]", "[]"},
		{"(mention://user/abc/x) (mention://bot/3/x) mention://user/4/x", "[]", "[]"},
		{"(mention://user/99999999999999999999/x)", "[]", "[]"},
		{"", "[]", "[]"},
	} {
		users, teams := ParseMentions(tc.content)
		if got := fmt.Sprint(users); got != tc.users {
			t.Errorf("ParseMentions(%q) users = %s, want %s", tc.content, got, tc.users)
		}
		if got := fmt.Sprint(teams); got != tc.teams {
			t.Errorf("ParseMentions(%q) teams = %s, want %s", tc.content, got, tc.teams)
		}
	}
}
