package api

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/present"
	"github.com/criachat/criachat/internal/store"
)

// teamJSON is Chatwoot's team (app/views/api/v1/models/_team.json.jbuilder).
// IsMember says whether the caller belongs to the team.
type teamJSON struct {
	ID              int64   `json:"id"`
	Name            string  `json:"name"`
	Description     *string `json:"description"`
	AllowAutoAssign bool    `json:"allow_auto_assign"`
	AccountID       int64   `json:"account_id"`
	IsMember        bool    `json:"is_member"`
}

// presentTeam renders a team for the user who asked; isMember is whether they
// are in it (store IsTeamMember or TeamIDsOfUser).
func presentTeam(t *criachat.Team, isMember bool) teamJSON {
	return teamJSON{ID: t.ID, Name: t.Name, Description: t.Description, AllowAutoAssign: t.AllowAutoAssign,
		AccountID: t.AccountID, IsMember: isMember}
}

// teamRecordJSON is a team rendered with `render json: team` (the raw
// ActiveRecord attributes, ISO timestamps), as the conversation assignments
// endpoint answers a team assignment (reference §3.5, §7).
type teamRecordJSON struct {
	ID              int64   `json:"id"`
	Name            string  `json:"name"`
	Description     *string `json:"description"`
	AllowAutoAssign bool    `json:"allow_auto_assign"`
	AccountID       int64   `json:"account_id"`
	CreatedAt       string  `json:"created_at"`
	UpdatedAt       string  `json:"updated_at"`
}

// presentTeamRecord renders a team's raw attributes.
func presentTeamRecord(t *criachat.Team) teamRecordJSON {
	return teamRecordJSON{ID: t.ID, Name: t.Name, Description: t.Description, AllowAutoAssign: t.AllowAutoAssign,
		AccountID: t.AccountID, CreatedAt: present.ISOTime(t.CreatedAt), UpdatedAt: present.ISOTime(t.UpdatedAt)}
}

// teamParams is the body of team create and update, under "team".
type teamParams struct {
	Name            *string   `json:"name"`
	Description     *string   `json:"description"`
	AllowAutoAssign *flexBool `json:"allow_auto_assign"`
}

func (p teamParams) apply(t *criachat.Team) {
	setStr(&t.Name, p.Name)
	if p.Description != nil {
		t.Description = p.Description
	}
	if p.AllowAutoAssign != nil {
		t.AllowAutoAssign = bool(*p.AllowAutoAssign)
	}
}

func (s *Server) listTeams(w http.ResponseWriter, r *http.Request) error {
	me := caller(r)
	q := s.store.Read()
	teams, err := q.Teams(r.Context(), me.member.AccountID)
	if err != nil {
		return err
	}
	mine, err := q.TeamIDsOfUser(r.Context(), me.member.AccountID, me.user.ID)
	if err != nil {
		return err
	}
	return ok(w, presentAll(teams, func(t *criachat.Team) teamJSON { return presentTeam(t, slices.Contains(mine, t.ID)) }))
}

func (s *Server) showTeam(w http.ResponseWriter, r *http.Request) error {
	id, found := pathID(r, "id")
	if !found {
		return criachat.Errorf(criachat.ENOTFOUND, "team not found")
	}
	me := caller(r)
	t, err := s.store.Read().Team(r.Context(), me.member.AccountID, id)
	if err != nil {
		return err
	}
	member, err := s.store.Read().IsTeamMember(r.Context(), t.ID, me.user.ID)
	if err != nil {
		return err
	}
	return ok(w, presentTeam(t, member))
}

func (s *Server) createTeam(w http.ResponseWriter, r *http.Request) error {
	var p teamParams
	if err := decode(r, "team", &p); err != nil {
		return err
	}
	t := &criachat.Team{AccountID: caller(r).member.AccountID, AllowAutoAssign: true}
	p.apply(t)
	if err := s.store.Tx(r.Context(), func(q *store.Queries) error { return q.CreateTeam(r.Context(), t) }); err != nil {
		return err
	}
	return ok(w, presentTeam(t, false)) // a new team has no members
}

func (s *Server) updateTeam(w http.ResponseWriter, r *http.Request) error {
	id, found := pathID(r, "id")
	if !found {
		return criachat.Errorf(criachat.ENOTFOUND, "team not found")
	}
	var p teamParams
	if err := decode(r, "team", &p); err != nil {
		return err
	}
	me := caller(r)
	var t *criachat.Team
	var member bool
	err := s.store.Tx(r.Context(), func(q *store.Queries) (err error) {
		if t, err = q.Team(r.Context(), me.member.AccountID, id); err != nil {
			return err
		}
		p.apply(t)
		if err = q.UpdateTeam(r.Context(), t); err != nil {
			return err
		}
		member, err = q.IsTeamMember(r.Context(), t.ID, me.user.ID)
		return err
	})
	if err != nil {
		return err
	}
	return ok(w, presentTeam(t, member))
}

func (s *Server) deleteTeam(w http.ResponseWriter, r *http.Request) error {
	id, found := pathID(r, "id")
	if !found {
		return criachat.Errorf(criachat.ENOTFOUND, "team not found")
	}
	if err := s.store.Tx(r.Context(), func(q *store.Queries) error {
		return q.DeleteTeam(r.Context(), caller(r).member.AccountID, id)
	}); err != nil {
		return err
	}
	return okEmpty(w)
}

// teamMemberParams is the body of the team members endpoints: top-level user_ids.
type teamMemberParams struct {
	UserIDs *[]flexInt `json:"user_ids"`
}

// decodeUserIDs reads user_ids from the body or, as Rails merges query
// parameters into params (clients often send DELETE without a body), from
// user_ids[]=… in the query string.
func decodeUserIDs(r *http.Request) ([]int64, error) {
	var p teamMemberParams
	if err := decode(r, "", &p); err != nil {
		return nil, err
	}
	if p.UserIDs != nil {
		ids := make([]int64, 0, len(*p.UserIDs))
		for _, id := range *p.UserIDs {
			ids = append(ids, int64(id))
		}
		return ids, nil
	}
	query := r.URL.Query()
	values, given := query["user_ids[]"]
	if !given {
		values, given = query["user_ids"]
	}
	if !given {
		return nil, criachat.Errorf(criachat.EINVALID, "param is missing or the value is empty: user_ids")
	}
	ids := make([]int64, 0, len(values))
	for _, v := range values {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, criachat.Invalid("User ids must be a number", "user_ids")
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// checkAccountUsers refuses ids of users outside the account, as Chatwoot's
// validate_member_id_params does.
func checkAccountUsers(r *http.Request, q *store.Queries, accountID int64, ids []int64) error {
	members, err := q.MembersAmong(r.Context(), accountID, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !slices.Contains(members, id) {
			return criachat.Errorf(criachat.EUNAUTHORIZED, msgInvalidUserIDs)
		}
	}
	return nil
}

func (s *Server) listTeamMembers(w http.ResponseWriter, r *http.Request) error {
	id, found := pathID(r, "team_id")
	if !found {
		return criachat.Errorf(criachat.ENOTFOUND, "team not found")
	}
	accountID := caller(r).member.AccountID
	q := s.store.Read()
	if _, err := q.Team(r.Context(), accountID, id); err != nil {
		return err
	}
	agents, err := q.TeamMembers(r.Context(), accountID, id)
	if err != nil {
		return err
	}
	return ok(w, presentAll(agents, presentAgent))
}

// changeTeamMembers runs one of the membership changes in one transaction,
// after finding the team and checking user_ids. The body is read before the
// transaction starts, so a slow client never holds the write lock.
func (s *Server) changeTeamMembers(r *http.Request, change func(q *store.Queries, accountID, teamID int64, ids []int64) ([]criachat.Agent, error)) ([]criachat.Agent, error) {
	teamID, found := pathID(r, "team_id")
	if !found {
		return nil, criachat.Errorf(criachat.ENOTFOUND, "team not found")
	}
	ids, err := decodeUserIDs(r)
	if err != nil {
		return nil, err
	}
	accountID := caller(r).member.AccountID
	var agents []criachat.Agent
	err = s.store.Tx(r.Context(), func(q *store.Queries) error {
		if _, err := q.Team(r.Context(), accountID, teamID); err != nil {
			return err
		}
		if err := checkAccountUsers(r, q, accountID, ids); err != nil {
			return err
		}
		agents, err = change(q, accountID, teamID, ids)
		return err
	})
	return agents, err
}

func (s *Server) addTeamMembers(w http.ResponseWriter, r *http.Request) error {
	added, err := s.changeTeamMembers(r, func(q *store.Queries, accountID, teamID int64, ids []int64) ([]criachat.Agent, error) {
		return q.AddTeamMembers(r.Context(), accountID, teamID, ids)
	})
	if err != nil {
		return err
	}
	return ok(w, presentAll(added, presentAgent))
}

func (s *Server) setTeamMembers(w http.ResponseWriter, r *http.Request) error {
	members, err := s.changeTeamMembers(r, func(q *store.Queries, accountID, teamID int64, ids []int64) ([]criachat.Agent, error) {
		return q.SetTeamMembers(r.Context(), accountID, teamID, ids)
	})
	if err != nil {
		return err
	}
	return ok(w, presentAll(members, presentAgent))
}

func (s *Server) removeTeamMembers(w http.ResponseWriter, r *http.Request) error {
	_, err := s.changeTeamMembers(r, func(q *store.Queries, accountID, teamID int64, ids []int64) ([]criachat.Agent, error) {
		return nil, q.RemoveTeamMembers(r.Context(), accountID, teamID, ids)
	})
	if err != nil {
		return err
	}
	return okEmpty(w)
}
