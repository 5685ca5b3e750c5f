// Package criachat holds CriaChat's domain types, their validation rules and
// the application error vocabulary. It does no I/O.
package criachat

import (
	"strings"
	"time"
)

// AccountStatus is an account's lifecycle state (Chatwoot enum active 0, suspended 1).
type AccountStatus string

// Account statuses.
const (
	AccountActive    AccountStatus = "active"
	AccountSuspended AccountStatus = "suspended"
)

// Valid reports whether s is a known account status.
func (s AccountStatus) Valid() bool { return s == AccountActive || s == AccountSuspended }

// Account is a tenant: every other record belongs to exactly one account.
type Account struct {
	ID               int64
	Name             string
	Locale           string
	Domain           string
	SupportEmail     string
	Status           AccountStatus
	Features         map[string]bool
	Settings         map[string]any
	CustomAttributes map[string]any
	Limits           map[string]any
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// DefaultFeatures are the feature flags a new account starts with, a subset of
// Chatwoot's config/features.yml that CriaChat implements or plans to.
var DefaultFeatures = map[string]bool{
	"agent_management":           true,
	"team_management":            true,
	"inbox_management":           true,
	"labels":                     true,
	"custom_attributes":          true,
	"canned_responses":           true,
	"integrations":               true,
	"automations":                true,
	"macros":                     true,
	"channel_website":            true,
	"channel_api":                true,
	"agent_bots":                 true,
	"webhooks":                   true,
	"conversation_unread_counts": true,
}

// Normalize trims fields and fills defaults.
func (a *Account) Normalize() {
	a.Name = strings.TrimSpace(a.Name)
	a.Domain = strings.TrimSpace(a.Domain)
	a.SupportEmail = strings.TrimSpace(a.SupportEmail)
	if a.Locale == "" {
		a.Locale = "en"
	}
	if a.Status == "" {
		a.Status = AccountActive
	}
	if a.Features == nil {
		a.Features = make(map[string]bool, len(DefaultFeatures))
		for k, v := range DefaultFeatures {
			a.Features[k] = v
		}
	}
	if a.Settings == nil {
		a.Settings = map[string]any{}
	}
	if a.CustomAttributes == nil {
		a.CustomAttributes = map[string]any{}
	}
	if a.Limits == nil {
		a.Limits = map[string]any{}
	}
}

// Validate checks an account before it is stored.
func (a *Account) Validate() error {
	switch {
	case a.Name == "":
		return Invalid("Name can't be blank", "name")
	case len(a.Name) > 255:
		return Invalid("Name is too long (maximum is 255 characters)", "name")
	case !a.Status.Valid():
		return Invalid("Status is not included in the list", "status")
	case a.SupportEmail != "" && !ValidEmail(a.SupportEmail):
		return Invalid("Support email is invalid", "support_email")
	}
	return nil
}
