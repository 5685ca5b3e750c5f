package criachat

import (
	"strings"
	"time"
)

// Team is a group of an account's agents that conversations can be assigned to.
type Team struct {
	ID              int64
	AccountID       int64
	Name            string
	Description     *string // null unless given
	AllowAutoAssign bool
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Normalize lowercases the name, as Chatwoot does before validating.
func (t *Team) Normalize() { t.Name = strings.ToLower(t.Name) }

// Validate checks a team before it is stored.
func (t *Team) Validate() error {
	if strings.TrimSpace(t.Name) == "" {
		return Invalid("Name must not be blank", "name")
	}
	return nil
}
