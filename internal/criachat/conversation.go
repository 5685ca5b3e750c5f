package criachat

import (
	"fmt"
	"strings"
	"time"
)

// ConversationStatus is a conversation's state (Chatwoot enum open 0, resolved 1, pending 2, snoozed 3).
type ConversationStatus string

// Conversation statuses.
const (
	StatusOpen     ConversationStatus = "open"
	StatusResolved ConversationStatus = "resolved"
	StatusPending  ConversationStatus = "pending"
	StatusSnoozed  ConversationStatus = "snoozed"
)

// Valid reports whether s is a known status.
func (s ConversationStatus) Valid() bool {
	switch s {
	case StatusOpen, StatusResolved, StatusPending, StatusSnoozed:
		return true
	}
	return false
}

// Toggled is the status toggle_status moves to when no status is given
// (reference §6.2): open→resolved, and resolved, pending, snoozed→open.
func (s ConversationStatus) Toggled() ConversationStatus {
	if s == StatusOpen {
		return StatusResolved
	}
	return StatusOpen
}

// Priority is a conversation's priority (low 0, medium 1, high 2, urgent 3); "" is none.
type Priority string

// Priorities.
const (
	PriorityNone   Priority = ""
	PriorityLow    Priority = "low"
	PriorityMedium Priority = "medium"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Valid reports whether p is a known priority or none.
func (p Priority) Valid() bool {
	switch p {
	case PriorityNone, PriorityLow, PriorityMedium, PriorityHigh, PriorityUrgent:
		return true
	}
	return false
}

// Rank orders priorities for sorting: none < low < medium < high < urgent.
func (p Priority) Rank() int {
	switch p {
	case PriorityLow:
		return 0
	case PriorityMedium:
		return 1
	case PriorityHigh:
		return 2
	case PriorityUrgent:
		return 3
	}
	return -1
}

// StatusAfterIncoming is the status an incoming message leaves a conversation
// in (reference §6.2, Message#reopen_conversation): snoozed and resolved
// conversations reopen (resolved ones go to pending while a bot is active);
// muted conversations stay as they are.
func StatusAfterIncoming(current ConversationStatus, muted, botActive bool) ConversationStatus {
	if muted {
		return current
	}
	switch current {
	case StatusSnoozed:
		return StatusOpen
	case StatusResolved:
		if botActive {
			return StatusPending
		}
		return StatusOpen
	}
	return current
}

// Activity message texts, from Chatwoot's config/locales/en.yml conversations.activity.*.

// ActivityStatus is the activity text for a status change made by a user.
func ActivityStatus(status ConversationStatus, userName string) string {
	switch status {
	case StatusResolved:
		return fmt.Sprintf("Conversation was marked resolved by %s", userName)
	case StatusPending:
		return fmt.Sprintf("Conversation was marked as pending by %s", userName)
	case StatusSnoozed:
		return fmt.Sprintf("Conversation was snoozed by %s", userName)
	}
	return fmt.Sprintf("Conversation was reopened by %s", userName)
}

// ActivitySystemReopen is the activity text when an incoming message reopens a conversation.
const ActivitySystemReopen = "System reopened the conversation due to a new incoming message."

// ActivityPriority is the activity text for a priority change.
func ActivityPriority(old, new Priority, userName string) string {
	switch {
	case old == PriorityNone:
		return fmt.Sprintf("%s set the priority to %s", userName, new)
	case new == PriorityNone:
		return fmt.Sprintf("%s removed the priority", userName)
	}
	return fmt.Sprintf("%s changed the priority from %s to %s", userName, old, new)
}

// ActivityAssignee is the activity text for an assignee change; assigneeName
// is "" when the conversation was unassigned.
func ActivityAssignee(assigneeName, userName string, self bool) string {
	switch {
	case assigneeName == "":
		return fmt.Sprintf("Conversation unassigned by %s", userName)
	case self:
		return fmt.Sprintf("%s self-assigned this conversation", userName)
	}
	return fmt.Sprintf("Assigned to %s by %s", assigneeName, userName)
}

// ActivityTeam is the activity text for a team change. teamName is the new
// team, or the old one when removed is true; assigneeName is set when the
// team assignment also picked an assignee.
func ActivityTeam(teamName, assigneeName, userName string, removed bool) string {
	switch {
	case removed:
		return fmt.Sprintf("Unassigned from %s by %s", teamName, userName)
	case assigneeName != "":
		return fmt.Sprintf("Assigned to %s via %s by %s", assigneeName, teamName, userName)
	}
	return fmt.Sprintf("Assigned to %s by %s", teamName, userName)
}

// ActivityLabels is the activity text for labels added or removed.
func ActivityLabels(labels []string, userName string, removed bool) string {
	verb := "added"
	if removed {
		verb = "removed"
	}
	return fmt.Sprintf("%s %s %s", userName, verb, strings.Join(labels, ", "))
}

// ActivityMuted is the activity text for mute and unmute.
func ActivityMuted(userName string, muted bool) string {
	if muted {
		return fmt.Sprintf("%s has muted the conversation", userName)
	}
	return fmt.Sprintf("%s has unmuted the conversation", userName)
}

// Conversation is a thread between a contact and the team in one inbox. Its
// DisplayID (per-account sequence) is the id every API path and payload uses.
type Conversation struct {
	ID                   int64
	AccountID            int64
	DisplayID            int64
	UUID                 string
	InboxID              int64
	ContactID            int64
	ContactInboxID       int64
	Status               ConversationStatus
	Priority             Priority
	AssigneeID           *int64
	AssigneeAgentBotID   *int64
	TeamID               *int64
	CampaignID           *int64
	SnoozedUntil         *time.Time
	AdditionalAttributes map[string]any
	CustomAttributes     map[string]any
	Labels               []string
	AgentLastSeenAt      *time.Time
	AssigneeLastSeenAt   *time.Time
	ContactLastSeenAt    *time.Time
	FirstReplyCreatedAt  *time.Time
	WaitingSince         *time.Time
	LastActivityAt       time.Time
	CreatedAt            time.Time
	UpdatedAt            time.Time
}

// Normalize fills defaults.
func (c *Conversation) Normalize() {
	if c.Status == "" {
		c.Status = StatusOpen
	}
	if c.AdditionalAttributes == nil {
		c.AdditionalAttributes = map[string]any{}
	}
	if c.CustomAttributes == nil {
		c.CustomAttributes = map[string]any{}
	}
	if c.Status != StatusSnoozed {
		c.SnoozedUntil = nil // ensure_snooze_until_reset
	}
}

// Validate checks a conversation before it is stored.
func (c *Conversation) Validate() error {
	switch {
	case !c.Status.Valid():
		return Invalid("Status is not included in the list", "status")
	case !c.Priority.Valid():
		return Invalid("Priority is not included in the list", "priority")
	}
	return nil
}
