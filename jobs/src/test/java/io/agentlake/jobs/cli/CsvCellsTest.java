package io.agentlake.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvCellsTest {

  @Test
  void cellsThatASpreadsheetWouldRunAsFormulasBecomeText() {
    for (String dangerous : List.of("=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx")) {
      assertThat(CsvCells.cell(dangerous)).as(dangerous).matches("(?s)\"?'.*");
    }
  }

  @Test
  void ordinaryCellsAreLeftAloneAndSpecialCharactersQuoted() {
    assertThat(CsvCells.cell("agent-1")).isEqualTo("agent-1");
    assertThat(CsvCells.cell(null)).isEmpty();
    assertThat(CsvCells.cell("a,b")).isEqualTo("\"a,b\"");
    assertThat(CsvCells.cell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
    assertThat(CsvCells.row(Arrays.asList("x", "=y", null))).isEqualTo("x,'=y,");
  }
}
