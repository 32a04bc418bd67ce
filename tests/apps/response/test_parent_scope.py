"""Models scoped through a parent (issue 9, defect 8): write scoping and audit establishment.

A task, a comment or a custody event has no ``establishment`` of its own: it belongs to its
incident's. ``crud`` must refuse writing one into an establishment the user does not see, and its
audit entries must carry that establishment (or only organisation-wide auditors would see them).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from hygie.core.models import AuditEntry, Establishment, Organisation, User
from hygie.core.models.scoping import establishment_ids_of
from hygie.core.services import crud
from hygie.response.models import Comment, CustodyEvent, IncidentEvidence, Playbook, Task

pytestmark = pytest.mark.django_db


def test_establishments_are_resolved_through_the_scope_path(
    incident, organisation, establishment_a, establishment_b, django_assert_max_num_queries
):
    # In memory, before anything is saved: the parent chain is followed without a query.
    custody = CustodyEvent(item=IncidentEvidence(incident=incident), action="received")
    with django_assert_max_num_queries(0):
        assert establishment_ids_of(custody) == {establishment_a.pk}
        assert establishment_ids_of(Task(incident=incident)) == {establishment_a.pk}
        assert establishment_ids_of(establishment_b) == {establishment_b.pk}
    # From the database, the remaining hops are one query.
    task = Task.objects.create(incident=incident, title="Isoler le VLAN")
    fresh = Task.objects.get(pk=task.pk)
    with django_assert_max_num_queries(1):
        assert establishment_ids_of(fresh) == {establishment_a.pk}
    # Many-valued paths give every establishment.
    playbook = Playbook(organisation=organisation, key="k", title="t", version="1", source="")
    assert establishment_ids_of(playbook) == {establishment_a.pk, establishment_b.pk}
    assert establishment_ids_of(organisation) == {establishment_a.pk, establishment_b.pk}
    # Not scoped, or no parent yet: nothing.
    assert establishment_ids_of(Task()) == set()
    assert establishment_ids_of(User(username="x")) == set()


def test_crud_refuses_parent_scoped_writes_outside_the_user_scope(user_a, incident, incident_b):
    foreign = Task.objects.create(incident=incident_b, title="Tâche de B")
    with pytest.raises(PermissionDenied):
        crud.save_instance(foreign, user_a, title="Réécrite depuis A")
    with pytest.raises(PermissionDenied):
        crud.save_instance(Task(), user_a, incident=incident_b, title="Créée dans B")
    with pytest.raises(PermissionDenied):
        crud.delete_instance(foreign, user_a)
    own = Task.objects.create(incident=incident, title="Tâche de A")
    with pytest.raises(PermissionDenied):
        crud.save_instance(own, user_a, incident=incident_b)  # moved into B
    assert Task.objects.get(pk=foreign.pk).title == "Tâche de B"
    assert Task.objects.get(pk=own.pk).incident_id == incident.pk
    assert Task.objects.filter(incident=incident_b).count() == 1
    own.refresh_from_db()  # the refused call left its change in memory
    crud.save_instance(own, user_a, title="Renommée")
    assert Task.objects.get(pk=own.pk).title == "Renommée"


def test_crud_checks_every_establishment_of_a_many_valued_scope(
    user_a, organisation, establishment_a, establishment_b
):
    # The playbooks of a GHT serve all its establishments: an officer of one may not rewrite them.
    playbook = Playbook.objects.create(
        organisation=organisation, key="k", title="t", version="1", source="key: k"
    )
    with pytest.raises(PermissionDenied):
        crud.save_instance(playbook, user_a, title="changed")
    alone = Organisation.objects.create(name="Clinique seule")
    mine = Establishment.objects.create(organisation=alone, name="Clinique Delta")
    user_a.establishments.add(mine)
    user_a._visible_ids = None
    own = Playbook.objects.create(
        organisation=alone, key="k", title="t", version="1", source="key: k"
    )
    crud.save_instance(own, user_a, title="changed")


def test_audit_entries_of_parent_scoped_models_carry_the_establishment(
    user_a, user_b, incident, establishment_a
):
    task = crud.save_instance(Task(), user_a, incident=incident, title="Isoler le VLAN")
    comment = Comment.objects.create(incident=incident, author=user_a, text="Sauvegardes OK")
    for obj in (task, comment):
        entry = AuditEntry.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk), action="create"
        ).get()
        assert entry.establishment_id == establishment_a.pk
    crud.delete_instance(task, user_a)
    deleted = AuditEntry.objects.get(object_type="response.task", action="delete")
    assert deleted.establishment_id == establishment_a.pk
    # So the officer of A reads them and the officer of B does not.
    assert AuditEntry.objects.visible_to(user_a).filter(object_type="response.comment").exists()
    assert (
        not AuditEntry.objects.visible_to(user_b)
        .filter(object_type__in=["response.task", "response.comment"])
        .exists()
    )
