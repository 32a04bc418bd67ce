"""The six standard operations (list, retrieve, create, replace, update, delete) of a scoped model,
generated from a short description so every resource behaves, and is documented, the same way.

No ``from __future__ import annotations`` here: ninja reads the handlers' annotations at import
time, and they name schemas that only exist inside ``add_crud_routes``.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from django.db import models
from ninja import FilterSchema, PatchDict, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from hygie.core.api.common import (
    ERROR_RESPONSES,
    Pagination,
    apply_ordering,
    check_visible_reference,
    get_visible,
    ordering_description,
    require,
    require_all_establishments,
)
from hygie.core.api.schemas import Id
from hygie.core.http import AuthenticatedRequest
from hygie.core.models.scoping import visible_objects
from hygie.core.services.crud import (
    check_establishment_allowed,
    delete_instance,
    save_instance,
)

CREATE, UPDATE, DELETE = "create", "update", "delete"


@dataclass(frozen=True)
class Resource:
    """What differs between two CRUD resources; everything else is shared."""

    model: type[models.Model]
    path: str  # URL segment, kebab-case plural: "people"
    id_param: str  # path parameter naming the object: "person_id"
    label: str  # singular, for operation ids: "person"
    plural: str  # "people"
    # The singular with its article, for summaries ("an organisation", "a user"): written out,
    # since no rule on the first letter gets "an hour" and "a unit" both right.
    one: str
    schema_in: type[Schema]
    schema_out: type[Schema]
    filters: type[FilterSchema]
    orderings: tuple[str, ...]
    view_capability: str
    edit_capability: str
    # Payload fields naming other objects, which must be in the caller's scope (the establishment
    # itself is checked by the crud service, with a 403).
    references: Mapping[str, type[models.Model]] = field(default_factory=dict)
    # Operations that reach beyond one establishment and so need organisation-wide access.
    organisation_wide: frozenset[str] = frozenset()
    # Called with the saved object after create, replace and update: the module's own follow-up
    # (the same service its pages call after a save), so API and UI writes behave alike.
    after_save: Callable[[Any], object] | None = None

    @property
    def tag(self) -> str:
        return self.plural.capitalize()

    @property
    def item_path(self) -> str:
        # The int converter keeps sibling routes such as /people/export.csv out of this pattern.
        return f"/{self.path}/{{int:{self.id_param}}}"

    @property
    def snake(self) -> str:
        return self.label.replace(" ", "_")

    @property
    def url_name_prefix(self) -> str:
        """``<app>_<model>``: the API URL names are ``<app>_<model>_<action>``."""
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}"


def add_crud_routes(router: Router, resource: Resource) -> None:
    model = resource.model
    # The handlers' annotations name this resource's schemas, chosen at run time; a type checker
    # sees their base classes (local aliases, so that they are valid in annotations).
    if TYPE_CHECKING:
        schema_in: TypeAlias = Schema
        schema_out: TypeAlias = Schema
        filters_type: TypeAlias = FilterSchema
        path_params: TypeAlias = Schema
    else:
        schema_in, schema_out = resource.schema_in, resource.schema_out
        filters_type = resource.filters
        path_params = type(
            f"{model.__name__}Path", (Schema,), {"__annotations__": {resource.id_param: Id}}
        )
    plural_snake = resource.plural.replace(" ", "_")

    def object_id(path: Any) -> int:
        return int(getattr(path, resource.id_param))

    def check_write(request: AuthenticatedRequest, operation: str) -> None:
        require(request, resource.edit_capability)
        if operation in resource.organisation_wide:
            require_all_establishments(request)

    def saved(instance: Any) -> Any:
        if resource.after_save is not None:
            resource.after_save(instance)
            instance.refresh_from_db()
        return instance

    def check_references(request: AuthenticatedRequest, data: dict[str, Any]) -> None:
        # The establishment first: writing into a foreign one is a 403 whatever else is sent.
        if data.get("establishment_id") is not None:
            check_establishment_allowed(request.user, data["establishment_id"])
        for name, referenced in resource.references.items():
            if name in data:
                check_visible_reference(referenced, request, name, data[name])

    @router.get(
        f"/{resource.path}",
        response={200: list[schema_out], **ERROR_RESPONSES},
        summary=f"List {resource.plural}",
        operation_id=f"list_{plural_snake}",
        url_name=f"{resource.url_name_prefix}_list",
        tags=[resource.tag],
        description=f"{resource.plural.capitalize()} of the establishments you can see, "
        f"filtered, ordered and paginated (`limit`, `offset`; the total "
        f"is in `count`). Requires `{resource.view_capability}`.",
    )
    @paginate(Pagination)
    def list_objects(
        request: AuthenticatedRequest,
        filters: Query[filters_type],
        ordering: str | None = Query(None, description=ordering_description(resource.orderings)),
    ) -> Any:
        require(request, resource.view_capability)
        queryset = filters.filter(visible_objects(model, request.user))
        return apply_ordering(queryset, ordering, resource.orderings)

    @router.get(
        resource.item_path,
        response={200: schema_out, **ERROR_RESPONSES},
        summary=f"Get {resource.one}",
        operation_id=f"get_{resource.snake}",
        url_name=f"{resource.url_name_prefix}_detail",
        tags=[resource.tag],
        description=f"404 if it does not exist or is outside your establishments. "
        f"Requires `{resource.view_capability}`.",
    )
    def retrieve(request: AuthenticatedRequest, path: Path[path_params]) -> Any:
        require(request, resource.view_capability)
        return get_visible(model, request, object_id(path))

    @router.post(
        f"/{resource.path}",
        response={201: schema_out, **ERROR_RESPONSES},
        summary=f"Create {resource.one}",
        operation_id=f"create_{resource.snake}",
        url_name=f"{resource.url_name_prefix}_add",
        tags=[resource.tag],
        description=f"Requires `{resource.edit_capability}` and a write token. "
        f"403 when the establishment is not one of yours.",
    )
    def create(request: AuthenticatedRequest, payload: schema_in) -> Any:
        check_write(request, CREATE)
        data = payload.dict()
        check_references(request, data)
        return Status(201, saved(save_instance(model(), request.user, **data)))

    @router.put(
        resource.item_path,
        response={200: schema_out, **ERROR_RESPONSES},
        summary=f"Replace {resource.one}",
        operation_id=f"replace_{resource.snake}",
        url_name=f"{resource.url_name_prefix}_replace",
        tags=[resource.tag],
        description=f"Full update: omitted optional fields take their default. "
        f"Requires `{resource.edit_capability}` and a write token.",
    )
    def replace(request: AuthenticatedRequest, path: Path[path_params], payload: schema_in) -> Any:
        check_write(request, UPDATE)
        instance = get_visible(model, request, object_id(path))
        data = payload.dict()
        check_references(request, data)
        return saved(save_instance(instance, request.user, **data))

    @router.patch(
        resource.item_path,
        response={200: schema_out, **ERROR_RESPONSES},
        summary=f"Update {resource.one}",
        operation_id=f"update_{resource.snake}",
        url_name=f"{resource.url_name_prefix}_edit",
        tags=[resource.tag],
        description=f"Partial update: only the fields sent change. "
        f"Requires `{resource.edit_capability}` and a write token.",
    )
    def update(
        request: AuthenticatedRequest, path: Path[path_params], payload: PatchDict[schema_in]
    ) -> Any:
        check_write(request, UPDATE)
        instance = get_visible(model, request, object_id(path))
        check_references(request, payload)
        return saved(save_instance(instance, request.user, **payload))

    @router.delete(
        resource.item_path,
        response={204: None, **ERROR_RESPONSES},
        summary=f"Delete {resource.one}",
        operation_id=f"delete_{resource.snake}",
        url_name=f"{resource.url_name_prefix}_delete",
        tags=[resource.tag],
        description=f"Requires `{resource.edit_capability}` and a write token. "
        f"422 while other records still depend on it.",
    )
    def delete(request: AuthenticatedRequest, path: Path[path_params]) -> Any:
        check_write(request, DELETE)
        delete_instance(get_visible(model, request, object_id(path)), request.user)
        return Status(204, None)
