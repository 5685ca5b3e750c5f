package criachat

import (
	"strings"
	"time"
	"unicode"
)

// DefaultLabelColor is the color a label gets when none is given (Chatwoot's column default).
const DefaultLabelColor = "#1f93ff"

// Label is an account's tag for conversations and contacts. Conversations and
// contacts refer to labels by title.
type Label struct {
	ID            int64
	AccountID     int64
	Title         string
	Description   *string // null unless given
	Color         string
	ShowOnSidebar *bool // null unless given
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Normalize lowercases the title, as Chatwoot does before validating, and
// fills the default color.
func (l *Label) Normalize() {
	l.Title = NormalizeLabelTitle(l.Title)
	if l.Color == "" {
		l.Color = DefaultLabelColor
	}
}

// Validate checks a label before it is stored.
func (l *Label) Validate() error {
	switch {
	case strings.TrimSpace(l.Title) == "":
		return Invalid("Title must not be blank", "title")
	case !ValidLabelTitle(l.Title):
		return Invalid("Title is invalid", "title")
	}
	return nil
}

// NormalizeLabelTitle lowercases a label title (Unicode-aware, like Ruby's downcase).
func NormalizeLabelTitle(s string) string { return strings.ToLower(s) }

// ValidLabelTitle reports whether s is made only of letters, digits, hyphens
// and underscores (Chatwoot's UNICODE_CHARACTER_NUMBER_HYPHEN_UNDERSCORE).
func ValidLabelTitle(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsNumber(r) && r != '-' && r != '_' {
			return false
		}
	}
	return true
}
