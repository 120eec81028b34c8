import { z } from 'zod';

const JsonRpcRequestSchema = z.object({
  jsonrpc: z.literal('2.0'),
  method: z.string().min(1),
  id: z.union([z.string(), z.number(), z.null()]).optional(),
  params: z.record(z.string(), z.unknown()).optional(),
});

interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: string | number | null;
  result?: unknown;
  error?: { code: number; message: string; data: unknown };
}

const rpcError = (id: JsonRpcResponse['id'], code: number, message: string): JsonRpcResponse => ({ jsonrpc: '2.0', id, error: { code, message, data: null } });

/**
 * POST /mcp and WS {type:"mcp"}: JSON-RPC 2.0 as OpenEnv's validator expects. This environment exposes no MCP
 * tools, so tools/* answer -32603 "Environment does not support MCP", like a non-MCP OpenEnv server.
 */
export function handleMcp(body: unknown): JsonRpcResponse {
  const parsed = JsonRpcRequestSchema.safeParse(body);
  const rawId = (body as { id?: unknown } | null)?.id;
  const id = typeof rawId === 'string' || typeof rawId === 'number' ? rawId : null;
  if (!parsed.success) return rpcError(id, -32600, `Invalid request: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
  const { method } = parsed.data;
  if (method === 'tools/list' || method === 'tools/call') return rpcError(id, -32603, 'Environment does not support MCP');
  if (method === 'ping') return { jsonrpc: '2.0', id, result: {} };
  return rpcError(id, -32601, `Method not found: ${method}`);
}
