"""The bag API. Views validate with a serializer, call a selector or a service
(dispatches.services, dispatches.movements) and serialize the answer; every
scoping decision is offices.access's (through dispatches.selectors)."""

import io

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import NewestFirstCursorPagination
from api.schema import error_responses
from dispatches import selectors
from dispatches.lists import dispatch_list, write_csv
from dispatches.models import Bag
from dispatches.movements import check_bag, dispatch_bags, receive_bag
from dispatches.services import bag_add_parcels, bag_close, bag_open, bag_remove_parcel
from offices import access
from shipments.exceptions import ShipmentError

from . import serializers as api


class NewestRecordedCursorPagination(NewestFirstCursorPagination):
    ordering = ("-recorded_at", "-id")


BAG_KEY = OpenApiParameter(
    "key", OpenApiTypes.STR, OpenApiParameter.PATH, description="The bag's id, or its S9 identifier once closed"
)
S8 = OpenApiParameter("identifier", OpenApiTypes.STR, OpenApiParameter.PATH, description="S8 dispatch identifier")


def _detail(request, bag: Bag, code: int = status.HTTP_200_OK) -> Response:
    return Response(api.BagDetailSerializer(selectors.bag_detail(request.user, str(bag.pk))).data, status=code)


@extend_schema(tags=["bags"])
class BagListCreateView(generics.ListAPIView):
    serializer_class = api.BagSerializer

    def get_queryset(self):
        queryset = selectors.bag_list(self.request.user)
        query = self.request.query_params
        # A filter that cannot be answered is a 400 naming it (as the package list's), never an empty page.
        problems: dict[str, list[str]] = {}
        office = None
        if "office" in query:
            code = query["office"].strip().upper()
            office = access.offices_to_view(self.request.user).filter(code=code).first()
            if office is None:
                problems["office"] = [f"No office has the code {code or '(empty)'}."]
        direction, state = query.get("direction"), query.get("state")
        if direction is not None and direction not in ("outgoing", "incoming"):
            problems["direction"] = ["Use outgoing or incoming."]
        if state is not None and state not in Bag.State.values:
            problems["state"] = [f"Use one of {', '.join(Bag.State.values)}."]
        if problems:
            raise ShipmentError("Please correct the highlighted filters.", details=problems)
        return selectors.filter_bags(queryset, office=office, direction=direction or "", state=state or "")

    @extend_schema(
        summary="Bags from or to your offices",
        parameters=[
            OpenApiParameter("office", str, description="Office code: bags from or to it"),
            OpenApiParameter("direction", str, enum=["outgoing", "incoming"], description="With office"),
            OpenApiParameter("state", str, enum=Bag.State.values),
        ],
        responses={200: api.BagSerializer(many=True), **error_responses(400, 401, 403, 429)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Open a bag at your office for another office",
        request=api.BagCreateSerializer,
        responses={201: api.BagDetailSerializer, **error_responses(400, 401, 403, 429)},
    )
    def post(self, request):
        serializer = api.BagCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        bag = bag_open(actor=request.user, **serializer.validated_data)
        return _detail(request, bag, status.HTTP_201_CREATED)


@extend_schema(
    tags=["bags"],
    parameters=[BAG_KEY],
    responses={200: api.BagDetailSerializer, **error_responses(400, 401, 403, 404, 429)},
)
class BagDetailView(APIView):
    """A bag with its parcels, timeline and discrepancies."""

    def get(self, request, key):
        return Response(api.BagDetailSerializer(selectors.bag_detail(request.user, key)).data)


@extend_schema(
    tags=["bags"],
    parameters=[BAG_KEY],
    request=api.TrackingNumbersSerializer,
    responses={200: api.AddResultsSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
)
class BagParcelsView(APIView):
    """Scan parcels into an open bag: one result per number, in order (added, refused with the reason, repeated)."""

    def post(self, request, key):
        bag = selectors.bag_get_visible(request.user, key)
        serializer = api.TrackingNumbersSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        results = bag_add_parcels(actor=request.user, bag=bag, lines=serializer.validated_data["tracking_numbers"])
        return Response(api.AddResultsSerializer({"results": results}).data)


@extend_schema(
    tags=["bags"],
    parameters=[BAG_KEY, OpenApiParameter("tracking_number", OpenApiTypes.STR, OpenApiParameter.PATH)],
    responses={204: None, **error_responses(400, 401, 403, 404, 409, 429)},
)
class BagParcelRemoveView(APIView):
    """Take a parcel out of a bag while it is open."""

    def delete(self, request, key, tracking_number):
        bag = selectors.bag_get_visible(request.user, key)
        bag_remove_parcel(actor=request.user, bag=bag, tracking_number=tracking_number.strip().upper())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    tags=["bags"],
    parameters=[BAG_KEY],
    request=api.CloseSerializer,
    responses={200: api.BagDetailSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
)
class BagCloseView(APIView):
    """Close a bag with its gross weight and seal: it gets its S9 identifier and its contents freeze."""

    def post(self, request, key):
        bag = selectors.bag_get_visible(request.user, key)
        serializer = api.CloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        bag = bag_close(actor=request.user, bag=bag, **serializer.validated_data)
        return _detail(request, bag)


@extend_schema(
    tags=["bags"],
    parameters=[BAG_KEY],
    request=api.ReceiveSerializer,
    responses={200: api.BagDetailSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
)
class BagReceiveView(APIView):
    """Receive a dispatched bag at its destination with one scan: every parcel in it arrives.
    Sent twice, applied once."""

    def post(self, request, key):
        bag = selectors.bag_get_visible(request.user, key)
        serializer = api.ReceiveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        bag = receive_bag(actor=request.user, bag=bag, office=serializer.validated_data.get("office"))
        return _detail(request, bag)


@extend_schema(
    tags=["bags"],
    parameters=[BAG_KEY],
    request=api.CheckSerializer,
    responses={200: api.CheckResultSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
)
class BagCheckView(APIView):
    """Open a received bag and check the parcels found against its list: missing and extra ones, and the weights."""

    def post(self, request, key):
        bag = selectors.bag_get_visible(request.user, key)
        serializer = api.CheckSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = check_bag(
            actor=request.user,
            bag=bag,
            found=serializer.validated_data["found"],
            weight_kg=serializer.validated_data.get("weight_kg"),
        )
        return Response(api.CheckResultSerializer(result).data)


@extend_schema(
    tags=["dispatches"],
    request=api.DispatchCreateSerializer,
    responses={201: api.DispatchSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
)
class DispatchCreateView(APIView):
    """Dispatch closed bags together (all the closed bags of one dispatch). Sent twice, applied once."""

    def post(self, request):
        serializer = api.DispatchCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        bags = [selectors.bag_get_visible(request.user, key) for key in serializer.validated_data["bags"]]
        dispatch = dispatch_bags(actor=request.user, bags=bags)
        found = selectors.dispatch_get_visible(request.user, dispatch.identifier)
        return Response(api.DispatchSerializer(found).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["dispatches"],
    parameters=[S8],
    responses={200: api.DispatchSerializer, **error_responses(400, 401, 403, 404, 429)},
)
class DispatchDetailView(APIView):
    """A dispatch with its bags and timeline."""

    def get(self, request, identifier):
        return Response(api.DispatchSerializer(selectors.dispatch_get_visible(request.user, identifier)).data)


@extend_schema(
    tags=["dispatches"],
    parameters=[S8],
    responses={
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The dispatch list as CSV"),
        **error_responses(400, 401, 403, 404, 429),
    },
)
class DispatchListCSVView(APIView):
    """The dispatch list: the bags with totals, then every bag's parcels."""

    def get(self, request, identifier):
        dispatch = selectors.dispatch_get_visible(request.user, identifier)
        text = io.StringIO()
        write_csv(dispatch_list(dispatch), text)
        response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="dispatch-{dispatch.identifier}.csv"'
        return response


@extend_schema(
    tags=["dispatches"], responses={200: api.DiscrepancySerializer(many=True), **error_responses(400, 401, 403, 429)}
)
class DiscrepancyListView(generics.ListAPIView):
    """Open discrepancies: parcels missing from a bag, not scanned again nor declared lost.
    HQ: all; an office: those of its bags."""

    serializer_class = api.DiscrepancySerializer
    pagination_class = NewestRecordedCursorPagination

    def get_queryset(self):
        return selectors.discrepancies_open(self.request.user).order_by("-recorded_at", "-id")
