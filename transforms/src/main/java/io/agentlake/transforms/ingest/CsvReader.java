package io.agentlake.transforms.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.io.Reader;
import java.util.Arrays;

/**
 * Reads a CSV with a header row: one record per data row, header names as keys, each cell as the
 * source reads it ({@link SourcePackage#csvCell}). A row with more cells than the header is
 * quarantined; a syntax break keeps the rows before it.
 */
public final class CsvReader {

  private static final CsvMapper CSV = new CsvMapper();

  private CsvReader() {}

  /**
   * @param type the record type of every row
   * @param positionsFromZero true when the file is the CSV (rows are numbered from 0); false when
   *     the CSV is embedded in a record read earlier, so rows are numbered after it
   */
  public static void read(Reader reader, String type, Records out, boolean positionsFromZero)
      throws IOException {
    SourcePackage source = out.source();
    long base = positionsFromZero ? 0 : out.count();
    long row = -1;
    String[] header = null;
    try (MappingIterator<String[]> rows =
        CSV.readerFor(String[].class)
            .with(CsvParser.Feature.WRAP_AS_ARRAY)
            .with(CsvParser.Feature.SKIP_EMPTY_LINES)
            .readValues(reader)) {
      while (rows.hasNextValue()) {
        String[] cells = rows.nextValue();
        if (header == null) {
          header =
              Arrays.stream(cells).map(c -> c.replace("\uFEFF", "").strip()).toArray(String[]::new);
          continue;
        }
        row++;
        if (Arrays.stream(cells).allMatch(String::isBlank)) {
          continue;
        }
        ObjectNode node = JsonText.JSON.createObjectNode();
        for (int i = 0; i < Math.min(cells.length, header.length); i++) {
          node.set(header[i], source.csvCell(type, header[i], cells[i]));
        }
        boolean extraCells =
            Arrays.stream(cells, Math.min(cells.length, header.length), cells.length)
                .anyMatch(c -> !c.isBlank());
        if (extraCells) {
          out.quarantine(
              type,
              base + row,
              node,
              QuarantineReason.MALFORMED_RECORD,
              "data row "
                  + (row + 1)
                  + " has "
                  + cells.length
                  + " cells but the header has "
                  + header.length);
          continue;
        }
        out.record(type, node, base + row);
      }
    } catch (JsonProcessingException e) {
      out.quarantineText(
          type,
          base + row + 1,
          null,
          QuarantineReason.MALFORMED_RECORD,
          "The CSV breaks after data row " + (row + 1) + ": " + Records.describe(e));
    }
  }
}
