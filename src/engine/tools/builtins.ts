/**
 * The tools AWE ships. Adding a tool: one file under builtin/, one line here.
 */
import { agentRunTool } from './builtin/agent';
import { artifactSaveTool } from './builtin/artifact-save';
import { fileListTool, fileReadTool, fileWriteTool } from './builtin/files';
import { httpFetchTool } from './builtin/http-fetch';
import { humanApproveTool } from './builtin/human-approve';
import { jsonTransformTool } from './builtin/json-transform';
import { llmGenerateTool } from './builtin/llm-generate';
import { textTemplateTool } from './builtin/text-template';
import { utilWaitTool } from './builtin/util-wait';
import type { ToolSpec } from './types';

export function builtinTools(): ToolSpec[] {
  return [
    textTemplateTool,
    jsonTransformTool,
    utilWaitTool,
    httpFetchTool,
    fileReadTool,
    fileWriteTool,
    fileListTool,
    artifactSaveTool,
    humanApproveTool,
    llmGenerateTool,
    agentRunTool,
  ];
}
