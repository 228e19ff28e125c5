"""The GraphQL layer: assembles Query and Mutation from the domains and lists the extensions."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.schema.config import StrawberryConfig

from schema.audit import AuditEntry, AuditQuery
from schema.auth.mutations import AuthMutation
from schema.context import Info
from schema.documents.mutations import DocumentsMutation
from schema.documents.queries import DocumentsQuery
from schema.documents.types import Document, DocumentVersion
from schema.errors import DomainErrorCodes, is_expected
from schema.evaluations.mutations import EvaluationsMutation
from schema.evaluations.queries import EvaluationsQuery
from schema.evaluations.types import EvaluationRun, UnitRating
from schema.incidents.operations import IncidentsMutation, IncidentsQuery
from schema.incidents.types import Incident
from schema.inspections.mutations import HazardsMutation
from schema.inspections.queries import HazardsQuery
from schema.inspections.types import HandlingRecommendation, Hazard
from schema.nodes import resolve_node
from schema.notices.mutations import NoticesMutation
from schema.notices.queries import NoticesQuery
from schema.notices.types import Notice, OutboxEvent, WebhookEndpoint
from schema.outcomes.operations import OutcomeRelease, OutcomesMutation, OutcomesQuery
from schema.oversight.queries import OversightQuery
from schema.projects.mutations import ProjectsMutation
from schema.projects.queries import ProjectsQuery
from schema.projects.types import Assessment, Project
from schema.relay import Node
from schema.signals.mutations import SignalsMutation
from schema.signals.queries import SignalsQuery
from schema.signals.types import WarningSignal
from schema.tenancy.mutations import TenancyMutation
from schema.tenancy.queries import TenancyQuery
from schema.tenancy.types import ApiToken, Department, OrgUnit, User
from schema.warnlist.mutations import WarnlistMutation
from schema.warnlist.queries import WarnlistQuery
from schema.warnlist.types import Reward, WarningListEntry
from server.config import Settings


@strawberry.type
class Query(
    TenancyQuery,
    ProjectsQuery,
    HazardsQuery,
    IncidentsQuery,
    OutcomesQuery,
    DocumentsQuery,
    NoticesQuery,
    EvaluationsQuery,
    WarnlistQuery,
    SignalsQuery,
    AuditQuery,
    OversightQuery,
):
    @strawberry.field(description="Any object by its global ID (Relay); null if not visible.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info, id)


@strawberry.type
class Mutation(
    AuthMutation,
    TenancyMutation,
    ProjectsMutation,
    HazardsMutation,
    IncidentsMutation,
    OutcomesMutation,
    DocumentsMutation,
    NoticesMutation,
    EvaluationsMutation,
    WarnlistMutation,
    SignalsMutation,
):
    pass


def build_schema(settings: Settings) -> strawberry.Schema:
    # The limiters' rule classes are built once: the validation cache is keyed by the rule
    # classes, so a fresh class per request (a fresh QueryDepthLimiter) would never hit it.
    rules = [
        *QueryDepthLimiter(max_depth=settings.graphql_max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases).validation_rules,
    ]
    if settings.production:
        rules += DisableIntrospection().validation_rules
    # Factories, not instances: strawberry builds fresh extensions per request; the parser and
    # validation caches are module-level, so parsed and validated documents are shared.
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        DomainErrorCodes,
    ]
    if settings.production:
        extensions.append(lambda: MaskErrors(should_mask_error=lambda e: not is_expected(e)))
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=[
            Node,
            OrgUnit,
            User,
            Department,
            ApiToken,
            AuditEntry,
            Document,
            DocumentVersion,
            Project,
            Assessment,
            Hazard,
            HandlingRecommendation,
            Incident,
            OutcomeRelease,
            Notice,
            WebhookEndpoint,
            OutboxEvent,
            EvaluationRun,
            UnitRating,
            WarningListEntry,
            Reward,
            WarningSignal,
        ],
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
    )
