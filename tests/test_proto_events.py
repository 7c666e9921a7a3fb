"""Protobuf messages used as events (CL506 envelope, CL507 past tense): which messages count as
events (precision: RPC messages, held messages, imported envelopes), on protoc's descriptors and
on the grammar parser's tree alike."""

from __future__ import annotations

import pytest
from conftest import found

from commlint.artifacts import protoc

EVENTS = """
syntax = "proto3";
package shop.events.v1;
import "google/protobuf/timestamp.proto";

message Envelope {
  string event_id = 1;
  string event_type = 2;
  string event_version = 3;
}

message OrderShipped {
  Envelope envelope = 1;
  google.protobuf.Timestamp at = 2;
  map<string, string> labels = 3;
}

message ShipOrder {
  string event_id = 1;
  string order_id = 2;
}

message Address {
  string city = 1;
}

message CustomerMoved {
  Envelope envelope = 1;
  Address address = 2;
}
"""

API = """
syntax = "proto3";
package shop.api.v1;
import "common/v1/meta.proto";

service Shop {
  rpc Ship(ShipRequest) returns (OrderShipped);
}
message ShipRequest { string order_id = 1; }
message OrderShipped { string order_id = 1; }
message InvoicePaid {
  common.v1.EventMetadata metadata = 1;
  string invoice_id = 2;
}
message StockReservedEvent { string sku = 1; }
"""

META = """
syntax = "proto3";
package common.v1;
message EventMetadata { string event_id = 1; string event_type = 2; string event_version = 3; }
"""


@pytest.fixture(params=["protoc", "grammar"])
def front_end(request, monkeypatch):  # noqa: ANN001, ANN201
    if request.param == "grammar":
        monkeypatch.setattr(protoc, "available", lambda: False)
    elif not protoc.available():
        pytest.skip("grpcio-tools not installed")
    return request.param


def test_events_file_messages(check_tree, front_end) -> None:
    result = check_tree({"events/shop_events.proto": EVENTS}, {"select": ["CL506", "CL507"]})
    # ShipOrder: a command, and only part of the envelope; Address is held by an event, Envelope too
    assert found(result) == {("events/shop_events.proto", 17, "CL506"), ("events/shop_events.proto", 17, "CL507")}
    [envelope] = [f for f in result.active if f.code == "CL506"]
    assert "ShipOrder" in envelope.message and "event_type, event_version" in envelope.message


def test_rpc_messages_and_imported_envelopes_are_not_judged(check_tree, front_end) -> None:
    result = check_tree({"api/shop.proto": API, "common/v1/meta.proto": META}, {"select": ["CL506", "CL507"]})
    # OrderShipped is the RPC's response; InvoicePaid holds an envelope from another file;
    # StockReservedEvent is named as an event and carries none of the envelope
    assert found(result) == {("api/shop.proto", 14, "CL506")}


def test_a_file_outside_events_with_no_event_names_is_not_read_as_events(check_tree, front_end) -> None:
    text = 'syntax = "proto3";\npackage a.v1;\nmessage Order { string id = 1; }\nmessage Item { string sku = 1; }\n'
    assert found(check_tree({"proto/a.proto": text}, {"select": ["CL506", "CL507"]})) == set()


def test_a_past_tense_verb_followed_by_a_phrase_is_past_tense(check_tree) -> None:
    # TrackAddedToPlaylist (karseny99/audio_service_project), UserSignedUp
    text = ('syntax = "proto3";\npackage a.v1;\n'
            'message TrackAddedToPlaylist { string event_id = 1; string event_type = 2; string event_version = 3; }\n'
            'message UserSignedUp { string event_id = 1; string event_type = 2; string event_version = 3; }\n'
            'message OrderToShipEvent { string event_id = 1; string event_type = 2; string event_version = 3; }\n')
    assert found(check_tree({"events/a.proto": text}, {"select": ["CL507"]})) == {("events/a.proto", 5, "CL507")}


def test_a_generic_envelope_message_is_not_an_event(check_tree) -> None:
    # cloudevents/spec's cloudevents.proto: CloudEvent is the envelope format itself
    text = ('syntax = "proto3";\npackage io.cloudevents.v1;\n'
            'message CloudEvent { string id = 1; string source = 2; string spec_version = 3; string type = 4; }\n'
            'message DomainEvent { string id = 1; }\n'
            'message CloudEventBatch { repeated CloudEvent events = 1; }\n')
    assert found(check_tree({"formats/cloudevents.proto": text}, {"select": ["CL506", "CL507"]})) == set()


def test_a_message_an_rpc_response_holds_is_part_of_it_not_an_event(check_tree, front_end) -> None:
    # x3776x/pasadena's metadata.proto: `repeated LastPlayed lastPlayed = 5;` in a statistics response
    text = ('syntax = "proto3";\npackage metadata;\n'
            'service Metadata { rpc GetUserStatistics(StatisticsRequest) returns (StatisticsResponse); }\n'
            'message StatisticsRequest { string user_id = 1; }\n'
            'message StatisticsResponse { repeated Played recent = 1; }\n'
            'message Played { LastPlayed last = 1; }\n'
            'message LastPlayed { string song_id = 1; string last_play = 2; }\n'
            'message SongAdded { string song_id = 1; }\n')
    assert found(check_tree({"proto/metadata.proto": text}, {"select": ["CL506", "CL507"]})) == {
        ("proto/metadata.proto", 8, "CL506")}  # SongAdded: named as an event, and no RPC's part
