package criachat

import (
	"net/mail"
	"strings"
	"time"
)

// MinPasswordLength is the shortest password CriaChat accepts.
const MinPasswordLength = 8

// Role is an account member's role (Chatwoot enum agent 0, administrator 1).
type Role string

// Roles.
const (
	RoleAgent         Role = "agent"
	RoleAdministrator Role = "administrator"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAgent || r == RoleAdministrator }

// Availability is an account member's chosen presence (Chatwoot enum online 0, offline 1, busy 2).
type Availability string

// Availabilities.
const (
	AvailabilityOnline  Availability = "online"
	AvailabilityOffline Availability = "offline"
	AvailabilityBusy    Availability = "busy"
)

// Valid reports whether a is a known availability.
func (a Availability) Valid() bool {
	return a == AvailabilityOnline || a == AvailabilityOffline || a == AvailabilityBusy
}

// User is a person who can sign in. A user belongs to accounts through AccountUser rows.
type User struct {
	ID               int64
	Name             string
	DisplayName      string
	Email            string
	PasswordHash     string
	MessageSignature string
	UISettings       map[string]any
	CustomAttributes map[string]any
	PubsubToken      string
	ConfirmedAt      *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// AvailableName is the name shown to customers: the display name when set.
func (u *User) AvailableName() string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Name
}

// Normalize trims fields, lowercases the email and fills defaults.
func (u *User) Normalize() {
	u.Name = strings.TrimSpace(u.Name)
	u.DisplayName = strings.TrimSpace(u.DisplayName)
	u.Email = NormalizeEmail(u.Email)
	if u.UISettings == nil {
		u.UISettings = map[string]any{}
	}
	if u.CustomAttributes == nil {
		u.CustomAttributes = map[string]any{}
	}
}

// Validate checks a user before it is stored.
func (u *User) Validate() error {
	switch {
	case u.Name == "":
		return Invalid("Name can't be blank", "name")
	case len(u.Name) > 255:
		return Invalid("Name is too long (maximum is 255 characters)", "name")
	case u.Email == "":
		return Invalid("Email can't be blank", "email")
	case !ValidEmail(u.Email):
		return Invalid("Email is invalid", "email")
	}
	return nil
}

// ValidatePassword checks a new password.
func ValidatePassword(pw string) error {
	if len(pw) < MinPasswordLength {
		return Invalid("Password is too short (minimum is 8 characters)", "password")
	}
	if len(pw) > 72 { // bcrypt's limit: longer passwords would be silently truncated
		return Invalid("Password is too long (maximum is 72 characters)", "password")
	}
	return nil
}

// NormalizeEmail trims and lowercases an email address; emails are unique case-insensitively.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidEmail reports whether s is a plain address (no display name).
func ValidEmail(s string) bool {
	if len(s) > 254 {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@'):], ".")
}

// AccountUser is a user's membership of an account.
type AccountUser struct {
	ID           int64
	AccountID    int64
	UserID       int64
	Role         Role
	Availability Availability
	AutoOffline  bool
	InviterID    *int64
	ActiveAt     *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time

	// Account is loaded with the membership where a presenter needs it.
	Account *Account
}

// Normalize fills defaults for a new membership.
func (au *AccountUser) Normalize() {
	if au.Role == "" {
		au.Role = RoleAgent
	}
	if au.Availability == "" {
		au.Availability = AvailabilityOnline
	}
}

// Validate checks a membership before it is stored.
func (au *AccountUser) Validate() error {
	switch {
	case !au.Role.Valid():
		return Invalid("Role is not included in the list", "role")
	case !au.Availability.Valid():
		return Invalid("Availability is not included in the list", "availability")
	}
	return nil
}

// IsAdmin reports whether the member is an administrator.
func (au *AccountUser) IsAdmin() bool { return au.Role == RoleAdministrator }

// Agent is a user as seen from one account: the user plus their membership.
type Agent struct {
	User   *User
	Member *AccountUser
}
