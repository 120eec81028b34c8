/** Grading: result comparison per mode, Spider's text steps and hardness, and the scoring grader. */
export { createGrader, type Grade, type GradeComponents, type GradeRequest, type Grader, type GraderDeps } from './grader.js';
export { birdResultEq, cellF1, resultsMatch, spiderResultEq, type GradeMode, type ResultTable } from './compare.js';
export { classifyHardness, hardnessCounts, spiderHardness, type HardnessCounts, type SpiderHardness } from './hardness.js';
export { pythonFloatRepr, pythonSortKey } from './python-cells.js';
export {
  isOrderSensitive,
  postprocessSql,
  removeDistinct,
  replaceCurrentYear,
  spiderExecutableSql,
  tokenizeSql,
  type SqlToken,
  type SqlTokenKind,
} from './sql-text.js';
