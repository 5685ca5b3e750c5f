package event

import (
	"fmt"
	"testing"
	"time"

	"github.com/criachat/criachat/internal/criachat"
)

// The rules that turn a conversation change into events (reference §4.4, §4.6).
func TestConversationEventTypes(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	base := func() *criachat.Conversation {
		return &criachat.Conversation{Status: criachat.StatusPending, Labels: []string{"a"}, UpdatedAt: t0,
			CustomAttributes: map[string]any{"x": 1.0}}
	}
	user, team := int64(7), int64(3)
	cases := []struct {
		name   string
		change func(c *criachat.Conversation)
		attrs  []string
		types  []criachat.EventType
	}{
		{"nothing", func(c *criachat.Conversation) {}, nil, nil},
		{"only updated_at", func(c *criachat.Conversation) { c.UpdatedAt = t0.Add(time.Second) }, nil, nil},
		{"opened", func(c *criachat.Conversation) { c.Status, c.UpdatedAt = criachat.StatusOpen, t0.Add(time.Second) },
			[]string{"status", "updated_at"},
			[]criachat.EventType{criachat.EventConversationStatusChanged, criachat.EventConversationOpened, criachat.EventConversationUpdated}},
		{"resolved", func(c *criachat.Conversation) { c.Status = criachat.StatusResolved }, []string{"status"},
			[]criachat.EventType{criachat.EventConversationStatusChanged, criachat.EventConversationResolved, criachat.EventConversationUpdated}},
		{"snoozed", func(c *criachat.Conversation) { c.Status, c.SnoozedUntil = criachat.StatusSnoozed, &t0 }, []string{"status", "snoozed_until"},
			[]criachat.EventType{criachat.EventConversationStatusChanged, criachat.EventConversationUpdated}},
		{"assignee and team", func(c *criachat.Conversation) { c.AssigneeID, c.TeamID = &user, &team }, []string{"assignee_id", "team_id"},
			[]criachat.EventType{criachat.EventAssigneeChanged, criachat.EventTeamChanged, criachat.EventConversationUpdated}},
		{"labels", func(c *criachat.Conversation) { c.Labels = []string{"a", "b"} }, []string{"label_list"},
			[]criachat.EventType{criachat.EventConversationUpdated}},
		{"custom attributes in place", func(c *criachat.Conversation) { c.CustomAttributes["x"] = 2.0 }, []string{"custom_attributes"},
			[]criachat.EventType{criachat.EventConversationUpdated}},
		{"priority", func(c *criachat.Conversation) { c.Priority = criachat.Priority("high") }, []string{"priority"},
			[]criachat.EventType{criachat.EventConversationUpdated}},
		{"last seen is not watched", func(c *criachat.Conversation) { c.AgentLastSeenAt = &t0 }, nil, nil},
	}
	for _, tc := range cases {
		before := base()
		after := Snapshot(before)
		tc.change(after)
		changes := ConversationChanges(before, after)
		var attrs []string
		for _, ch := range changes {
			attrs = append(attrs, ch.Attr)
		}
		if fmt.Sprint(attrs) != fmt.Sprint(tc.attrs) {
			t.Errorf("%s: changed %v, want %v", tc.name, attrs, tc.attrs)
		}
		if got := ConversationEventTypes(changes, after.Status); fmt.Sprint(got) != fmt.Sprint(tc.types) {
			t.Errorf("%s: events %v, want %v", tc.name, got, tc.types)
		}
	}
}

func TestSnapshotIsDeep(t *testing.T) {
	c := &criachat.Conversation{Labels: []string{"a"}, CustomAttributes: map[string]any{"x": 1}}
	s := Snapshot(c)
	c.Labels[0], c.CustomAttributes["x"] = "b", 2
	if s.Labels[0] != "a" || s.CustomAttributes["x"] != 1 {
		t.Fatalf("snapshot changed with the original: %v %v", s.Labels, s.CustomAttributes)
	}
}
