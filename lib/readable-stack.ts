import { type TerraformElement, TerraformStack } from 'cdktf';
import { type IConstruct, Node } from 'constructs';

/**
 * A stack whose resource addresses are the construct path below the stack
 * joined with "_", with no hash suffix (`aws_kms_key.artifact_store_key`):
 * the HCL reads well, and an address changes only when a construct is renamed
 * or moved. `Default` children take their parent's name. Two paths that would
 * give the same address are refused rather than silently suffixed.
 */
export class ReadableStack extends TerraformStack {
  private readonly logicalIds = new Map<string, string>();

  protected allocateLogicalId(element: TerraformElement | Node): string {
    const node = element instanceof Node ? element : element.node;
    const path = node.scopes
      .slice(node.scopes.indexOf(this) + 1)
      .map((scope: IConstruct) => scope.node.id)
      .filter((id) => id !== 'Default');
    const logicalId = path.join('_').replace(/[^A-Za-z0-9_-]/g, '_');
    const owner = this.logicalIds.get(logicalId);
    if (owner !== undefined && owner !== node.path) {
      throw new Error(`${this.node.id}: address "${logicalId}" is used by both ${owner} and ${node.path}`);
    }
    this.logicalIds.set(logicalId, node.path);
    return logicalId;
  }
}
