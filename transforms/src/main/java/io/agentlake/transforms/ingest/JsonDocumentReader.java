package io.agentlake.transforms.ingest;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads whole-file JSON: one or more root values (arrays, wrapper objects or single records),
 * streaming the record lists so a large file is read one record at a time. A syntax break mid-way
 * keeps the records before it and quarantines the rest as one entry.
 */
final class JsonDocumentReader {

  private JsonDocumentReader() {}

  static void read(InputStream body, Records out) throws IOException, UnrecognizedFile {
    SourcePackage source = out.source();
    try (JsonParser p = JsonText.STREAM.createParser(body)) {
      try {
        JsonToken token;
        while ((token = p.nextToken()) != null) {
          if (token == JsonToken.START_ARRAY) {
            if (!source.acceptsRootArray()) {
              throw new UnrecognizedFile(
                  QuarantineReason.UNRECOGNIZED_FORMAT,
                  "A JSON array is not a "
                      + source.name()
                      + " export: expected "
                      + source.accepts()
                      + ".");
            }
            readArray(p, out, SourcePackage.Wrapper.ELEMENTS);
          } else if (token == JsonToken.START_OBJECT) {
            readRootObject(p, out);
          } else {
            out.element(JsonText.STREAM.readTree(p));
          }
        }
      } catch (JsonProcessingException e) {
        out.quarantineText(
            source.fallbackRecordType(),
            out.count(),
            null,
            QuarantineReason.MALFORMED_JSON,
            "The JSON breaks after record " + out.count() + ": " + Records.describe(e));
      }
    }
  }

  /** Streams the elements of the array the parser is at (on START_ARRAY). */
  private static void readArray(JsonParser p, Records out, SourcePackage.Wrapper wrapper)
      throws IOException {
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() == null) {
        throw new JsonParseException(p, "unexpected end of array");
      }
      wrapper.read(JsonText.STREAM.readTree(p), out);
    }
  }

  /**
   * Reads a root object field by field, streaming the record lists it wraps and keeping the other
   * fields; an object that wraps no records is read by the source as a whole.
   */
  private static void readRootObject(JsonParser p, Records out)
      throws IOException, UnrecognizedFile {
    SourcePackage source = out.source();
    ObjectNode rest = JsonText.JSON.createObjectNode();
    boolean wrapped = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      boolean container = value == JsonToken.START_ARRAY || value == JsonToken.START_OBJECT;
      SourcePackage.Wrapper wrapper =
          container ? source.wrapper(name, value == JsonToken.START_ARRAY, rest) : null;
      if (wrapper == null) {
        rest.set(name, JsonText.STREAM.readTree(p));
      } else if (value == JsonToken.START_ARRAY) {
        wrapped = true;
        readArray(p, out, wrapper);
      } else {
        wrapped = true;
        wrapper.read(JsonText.STREAM.readTree(p), out);
      }
    }
    if (!wrapped) {
      source.unwrappedObject(rest, out);
    }
  }
}
