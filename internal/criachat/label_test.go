package criachat

import "testing"

func TestValidLabelTitle(t *testing.T) {
	for title, want := range map[string]bool{
		"billing": true, "a-b_c": true, "ações": true, "日本語": true, "v2": true, "٣": true,
		"": false, "two words": false, "a.b": false, "a/b": false, "emoji😀": false, "tab\t": false,
	} {
		if got := ValidLabelTitle(title); got != want {
			t.Errorf("ValidLabelTitle(%q) = %v, want %v", title, got, want)
		}
	}
	l := &Label{Title: "ÀÉ-Billing"}
	l.Normalize()
	if l.Title != "àé-billing" || l.Color != DefaultLabelColor {
		t.Fatalf("normalised label = %+v", l)
	}
}

func TestCannedResponseRank(t *testing.T) {
	c := &CannedResponse{ShortCode: "Refund-policy", Content: "We refund within five days"}
	for search, want := range map[string]int{"ref": 3, "POLICY": 2, "five": 1, "nothing": 0, "%": 0} {
		if got := CannedResponseRank(c, search); got != want {
			t.Errorf("rank(%q) = %d, want %d", search, got, want)
		}
	}
}
