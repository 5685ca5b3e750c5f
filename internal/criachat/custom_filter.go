package criachat

import (
	"slices"
	"strings"
	"time"
)

// FilterType is what a saved custom filter applies to (Chatwoot enum
// conversation 0, contact 1, report 2).
type FilterType string

// Filter types.
const (
	FilterConversation FilterType = "conversation"
	FilterContact      FilterType = "contact"
	FilterReport       FilterType = "report"
)

// FilterTypes lists the filter types in Chatwoot's enum order (index = integer value).
var FilterTypes = []FilterType{FilterConversation, FilterContact, FilterReport}

// Valid reports whether t is a known filter type.
func (t FilterType) Valid() bool { return slices.Contains(FilterTypes, t) }

// MaxCustomFiltersPerUser is how many filters one user may save in one account.
const MaxCustomFiltersPerUser = 1000

// CustomFilter is a user's saved filter (a folder or segment in the dashboard).
// Only its owner sees it.
type CustomFilter struct {
	ID         int64
	AccountID  int64
	UserID     int64
	Name       string
	FilterType FilterType
	Query      map[string]any
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Normalize fills the defaults.
func (f *CustomFilter) Normalize() {
	if f.FilterType == "" {
		f.FilterType = FilterConversation
	}
	if f.Query == nil {
		f.Query = map[string]any{}
	}
}

// Validate checks a filter before it is stored.
func (f *CustomFilter) Validate() error {
	switch {
	case strings.TrimSpace(f.Name) == "":
		return Invalid("Name can't be blank", "name")
	case !f.FilterType.Valid():
		return Invalid("Filter type is not included in the list", "filter_type")
	}
	return nil
}
